/** Copy-ready client code that writes to the master and reads from the slaves, like the article's examples. */
export interface Endpoint {
  name: string;
  host: string;
  port: number;
}

/**
 * Who the snippets log in as: an application account (same password everywhere, its database selected) or, when
 * none exists yet, root (each server has its own root password).
 */
export interface Login {
  user: string;
  database: string | null;
}

const isRoot = (l: Login) => l.user === "root";
const masterPassword = (l: Login) => (isRoot(l) ? "MASTER_PASSWORD" : "DB_PASSWORD");
const slavePassword = (l: Login) => (isRoot(l) ? "SLAVE_PASSWORD" : "DB_PASSWORD");
/** The demo: root creates the article's schema; an application account says who and where it is. */
const writeDemo = (l: Login) =>
  isRoot(l) ? "CREATE SCHEMA IF NOT EXISTS jelastic" : "SELECT CURRENT_USER(), @@server_id";
const readDemo = (l: Login) => (isRoot(l) ? "SHOW DATABASES" : "SHOW TABLES");

export function javaSnippet(master: Endpoint, slaves: Endpoint[], login: Login): string {
  const db = login.database ?? "";
  const slaveUrls =
    slaves.map((s) => `"jdbc:mariadb://${s.host}:${s.port}/${db}"`).join(", ") ||
    `"jdbc:mariadb://${master.host}:${master.port}/${db}"`;
  return `import java.sql.*;

public class DbManager {
    // Writes go to the master (${master.name}); reads are spread over the slaves. Login: ${login.user}.
    static final String MASTER_URL = "jdbc:mariadb://${master.host}:${master.port}/${db}";
    static final String[] SLAVE_URLS = { ${slaveUrls} };
    static int next = 0;

    public static Connection createMasterConnection() throws SQLException {
        return DriverManager.getConnection(MASTER_URL, "${login.user}", System.getenv("${masterPassword(login)}"));
    }

    public static Connection createSlaveConnection() throws SQLException {
        String url = SLAVE_URLS[next++ % SLAVE_URLS.length];
        return DriverManager.getConnection(url, "${login.user}", System.getenv("${slavePassword(login)}"));
    }

    public static void main(String[] args) throws SQLException {
        try (Connection m = createMasterConnection(); Statement st = m.createStatement()) {
            st.execute("${writeDemo(login)}");
        }
        try (Connection s = createSlaveConnection(); ResultSet rs = s.createStatement().executeQuery("${readDemo(login)}")) {
            while (rs.next()) System.out.println(rs.getString(1));
        }
    }
}`;
}

export function phpSnippet(master: Endpoint, slaves: Endpoint[], login: Login): string {
  const slave = slaves[0] ?? master;
  const db = login.database ?? "";
  const write = isRoot(login)
    ? `$master->query("${writeDemo(login)}");`
    : `$row = $master->query("${writeDemo(login)}")->fetch_row();
echo "writer: ", $row[0], " on server ", $row[1], "\\n";`;
  return `<?php
// Writes go to the master (${master.name}), reads to a slave (${slave.name}). Login: ${login.user}.
$master = new mysqli("${master.host}", "${login.user}", getenv("${masterPassword(login)}"), "${db}", ${master.port});
$slaves = [${(slaves.length ? slaves : [master]).map((s) => `["${s.host}", ${s.port}]`).join(", ")}];
[$host, $port] = $slaves[array_rand($slaves)];
$slave = new mysqli($host, "${login.user}", getenv("${slavePassword(login)}"), "${db}", $port);

${write}
$result = $slave->query("${readDemo(login)}");
while ($row = $result->fetch_row()) {
    echo $row[0], "\\n";
}`;
}

export function nodeSnippet(master: Endpoint, slaves: Endpoint[], login: Login): string {
  const db = login.database ? `, database: "${login.database}"` : "";
  const pool = (e: Endpoint, password: string) =>
    `mysql.createPool({ host: "${e.host}", port: ${e.port}, user: "${login.user}", password: process.env.${password}${db} })`;
  return `import mysql from "mysql2/promise";

// Writes go to the master (${master.name}); reads are spread over the slaves. Login: ${login.user}.
const master = ${pool(master, masterPassword(login))};
const slaves = [${(slaves.length ? slaves : [master]).map((s) => `\n  ${pool(s, slavePassword(login))},`).join("")}
];
let next = 0;
const reader = () => slaves[next++ % slaves.length];

console.log(await master.query("${writeDemo(login)}"));
const [rows] = await reader().query("${readDemo(login)}");
console.log(rows);`;
}
