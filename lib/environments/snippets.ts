/** Copy-ready client code that writes to the master and reads from the slaves, like the article's examples. */
export interface Endpoint {
  name: string;
  host: string;
  port: number;
  user: string;
}

export function javaSnippet(master: Endpoint, slaves: Endpoint[]): string {
  const slaveUrls =
    slaves.map((s) => `"jdbc:mariadb://${s.host}:${s.port}/"`).join(", ") ||
    `"jdbc:mariadb://${master.host}:${master.port}/"`;
  return `import java.sql.*;

public class DbManager {
    // Writes go to the master (${master.name}); reads are spread over the slaves.
    static final String MASTER_URL = "jdbc:mariadb://${master.host}:${master.port}/";
    static final String[] SLAVE_URLS = { ${slaveUrls} };
    static int next = 0;

    public static Connection createMasterConnection() throws SQLException {
        return DriverManager.getConnection(MASTER_URL, "${master.user}", System.getenv("MASTER_PASSWORD"));
    }

    public static Connection createSlaveConnection() throws SQLException {
        String url = SLAVE_URLS[next++ % SLAVE_URLS.length];
        return DriverManager.getConnection(url, "${slaves[0]?.user ?? master.user}", System.getenv("SLAVE_PASSWORD"));
    }

    public static void main(String[] args) throws SQLException {
        try (Connection m = createMasterConnection(); Statement st = m.createStatement()) {
            st.executeUpdate("CREATE SCHEMA IF NOT EXISTS jelastic");
        }
        try (Connection s = createSlaveConnection(); ResultSet rs = s.createStatement().executeQuery("SHOW DATABASES")) {
            while (rs.next()) System.out.println(rs.getString(1));
        }
    }
}`;
}

export function phpSnippet(master: Endpoint, slaves: Endpoint[]): string {
  const slave = slaves[0] ?? master;
  return `<?php
// Writes go to the master (${master.name}), reads to a slave (${slave.name}).
$master = new mysqli("${master.host}", "${master.user}", getenv("MASTER_PASSWORD"), "", ${master.port});
$slaves = [${(slaves.length ? slaves : [master]).map((s) => `["${s.host}", ${s.port}]`).join(", ")}];
[$host, $port] = $slaves[array_rand($slaves)];
$slave = new mysqli($host, "${slave.user}", getenv("SLAVE_PASSWORD"), "", $port);

$master->query("CREATE SCHEMA IF NOT EXISTS jelastic");
$result = $slave->query("SHOW DATABASES");
while ($row = $result->fetch_row()) {
    echo $row[0], "\\n";
}`;
}

export function nodeSnippet(master: Endpoint, slaves: Endpoint[]): string {
  const slave = slaves[0] ?? master;
  return `import mysql from "mysql2/promise";

// Writes go to the master (${master.name}); reads are spread over the slaves.
const master = mysql.createPool({ host: "${master.host}", port: ${master.port}, user: "${master.user}", password: process.env.MASTER_PASSWORD });
const slaves = [${(slaves.length ? slaves : [master]).map((s) => `\n  mysql.createPool({ host: "${s.host}", port: ${s.port}, user: "${slave.user}", password: process.env.SLAVE_PASSWORD }),`).join("")}
];
let next = 0;
const reader = () => slaves[next++ % slaves.length];

await master.query("CREATE SCHEMA IF NOT EXISTS jelastic");
const [rows] = await reader().query("SHOW DATABASES");
console.log(rows);`;
}
