// A fresh server's accounts, set by the server itself on its first start (--init-file): no console session over
// its socket, no exec, nothing to wait for but the root login. The file holds only the password's hash.
import crypto from "node:crypto";

/** mysql_native_password's stored form, SHA1(SHA1(password)): it cannot be used to log in, only to check one. */
export function nativePasswordHash(password: string): string {
  const stage1 = crypto.createHash("sha1").update(password, "utf8").digest();
  return `*${crypto.createHash("sha1").update(stage1).digest("hex").toUpperCase()}`;
}

/**
 * Root gets the generated password on its local rows (and, when the console reaches the server over a network,
 * root@'%', over TLS only, so that login works from the console's address); anonymous users and root@<hostname>
 * are dropped.
 * One statement per line, as --init-file requires; safe to run again (a first start that died half-way).
 */
export function provisionSql(rootPassword: string, overNetwork: boolean): string {
  const hash = nativePasswordHash(rootPassword);
  const byHostname = "CONCAT('DROP USER IF EXISTS ''''@''', @@hostname, ''', ''root''@''', @@hostname, '''')";
  return [
    "SET SESSION sql_log_bin = 0;",
    "DROP USER IF EXISTS ''@'localhost';",
    `SET @drop = IF(@@hostname IN ('localhost', '127.0.0.1', '::1'), 'DO 0', ${byHostname});`,
    "PREPARE dropByHostname FROM @drop;",
    "EXECUTE dropByHostname;",
    "DEALLOCATE PREPARE dropByHostname;",
    ...["localhost", "127.0.0.1", "::1"].map(
      (h) => `ALTER USER IF EXISTS 'root'@'${h}' IDENTIFIED BY PASSWORD '${hash}';`,
    ),
    ...(overNetwork
      ? [
          `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY PASSWORD '${hash}' REQUIRE SSL;`,
          "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
        ]
      : []),
    "",
  ].join("\n");
}
