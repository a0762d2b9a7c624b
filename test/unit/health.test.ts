import assert from "node:assert/strict";
import { test } from "node:test";
import { explainSlave } from "../../lib/mariadb/health";

const row = (over: Record<string, string | number | null>) => ({
  Master_Host: "127.0.0.2",
  Master_Port: 3306,
  Master_User: "repl",
  Slave_IO_Running: "Yes",
  Slave_SQL_Running: "Yes",
  Seconds_Behind_Master: 0,
  Last_IO_Errno: 0,
  Last_IO_Error: "",
  Last_SQL_Errno: 0,
  Last_SQL_Error: "",
  ...over,
});

test("health explains the common failures in plain words with a fix", () => {
  assert.equal(explainSlave(null).state, "not-configured");
  assert.equal(explainSlave(row({})).state, "running");
  assert.match(explainSlave(row({ Seconds_Behind_Master: 4 })).message, /4 s behind/);
  const denied = explainSlave(
    row({
      Slave_IO_Running: "Connecting",
      Last_IO_Errno: 1045,
      Last_IO_Error:
        "error connecting to master 'repl@127.0.0.2:3306' - retry-time: 1  maximum-retries: 100000  message: Access denied for user 'repl'@'localhost' (using password: YES)",
    }),
  );
  assert.equal(denied.state, "error");
  assert.match(denied.message, /refused the replication user 'repl'/);
  assert.match(denied.hint!, /Anonymous users/);
  const down = explainSlave(
    row({
      Slave_IO_Running: "Connecting",
      Last_IO_Errno: 2003,
      Last_IO_Error: "Can't connect to server on '127.0.0.2' (111 \"Connection refused\")",
    }),
  );
  assert.equal(down.state, "connecting");
  assert.match(down.hint!, /Start the master/);
  assert.match(
    explainSlave(
      row({
        Slave_IO_Running: "No",
        Last_IO_Errno: 1593,
        Last_IO_Error: "Fatal error: The slave I/O thread stops because master and slave have equal MariaDB server ids",
      }),
    ).message,
    /same server-id/,
  );
  assert.match(
    explainSlave(
      row({
        Slave_IO_Running: "No",
        Last_IO_Errno: 1236,
        Last_IO_Error: "Got fatal error 1236 from master when reading data from binary log: 'Binary log is not open'",
      }),
    ).hint!,
    /log-bin/,
  );
  assert.match(
    explainSlave(
      row({
        Slave_SQL_Running: "No",
        Last_SQL_Errno: 1007,
        Last_SQL_Error: "Can't create database 'x'; database exists",
      }),
    ).hint!,
    /Skip 1 error/,
  );
  assert.equal(explainSlave(row({ Slave_IO_Running: "No", Slave_SQL_Running: "No" })).state, "stopped");
  assert.match(explainSlave(row({ Slave_SQL_Running: "No" })).message, /SQL thread is stopped/);
});
