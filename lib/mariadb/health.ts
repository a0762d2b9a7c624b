import type { SlaveStatusRow } from "./replication";

export type HealthState = "running" | "connecting" | "stopped" | "error" | "not-configured";

export interface SlaveHealth {
  state: HealthState;
  secondsBehind: number | null;
  message: string;
  hint: string | null;
  lastIoError: string | null;
  lastSqlError: string | null;
}

const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

/** The slave status table in plain words: what is happening, and what to do about it. */
export function explainSlave(row: SlaveStatusRow | null): SlaveHealth {
  if (!row) {
    return {
      state: "not-configured",
      secondsBehind: null,
      message: "This server is not replicating from a master.",
      hint: 'Use "Configure master" to point it at a master, then "Control slave → Full start".',
      lastIoError: null,
      lastSqlError: null,
    };
  }
  const io = text(row.Slave_IO_Running);
  const sql = text(row.Slave_SQL_Running);
  const ioErrno = num(row.Last_IO_Errno) ?? 0;
  const sqlErrno = num(row.Last_SQL_Errno) ?? 0;
  const ioError = ioErrno ? `${ioErrno}: ${text(row.Last_IO_Error)}` : null;
  const sqlError = sqlErrno ? `${sqlErrno}: ${text(row.Last_SQL_Error)}` : null;
  const master = `${text(row.Master_Host)}:${text(row.Master_Port)}`;
  const behind = num(row.Seconds_Behind_Master);
  const base = { secondsBehind: behind, lastIoError: ioError, lastSqlError: sqlError };
  const ioMessage = text(row.Last_IO_Error);

  if (ioErrno === 1045) {
    return {
      ...base,
      state: "error",
      message: `The master (${master}) refused the replication user '${text(row.Master_User)}' (1045 Access denied).`,
      hint: "Check the user and password in Configure master, and that the user exists on the master with a host pattern that matches this slave (% works). Anonymous users on the master (''@localhost) shadow the replication user: drop them. If the user REQUIRES SSL, enable SSL for this slave.",
    };
  }
  if (ioErrno === 2003 || ioErrno === 2002 || ioErrno === 2013) {
    return {
      ...base,
      state: "connecting",
      message: `The slave cannot reach the master at ${master} (${ioErrno}): it is stopped or unreachable.`,
      hint: "Start the master environment (or fix the host/port in Configure master). The slave retries every second and catches up by itself.",
    };
  }
  if (ioErrno === 1593 || /equal (MariaDB|MySQL) server ids/i.test(ioMessage)) {
    return {
      ...base,
      state: "error",
      message: "Master and slave have the same server-id, so the slave ignores everything the master sends.",
      hint: "Give each server its own server-id in Config (e.g. server-id = 1 on the master, 2 on the slave), then Full start.",
    };
  }
  if (ioErrno === 1236) {
    const binlogOff = /binary log is not open|binlog.*not.*enabled/i.test(ioMessage);
    return {
      ...base,
      state: "error",
      message: binlogOff
        ? "Binary logging is disabled on the master, so there is nothing to replicate (1236)."
        : `The master cannot send the binary log position the slave needs (1236): ${ioMessage}`,
      hint: binlogOff
        ? "On the master: Config → Master settings (log-bin = mysql-bin), save (restart), then Full start on the slave."
        : "The master no longer has the binary logs this slave needs (purged or a different history). Re-seed the slave from a fresh copy of the master's data.",
    };
  }
  if (sqlErrno) {
    return {
      ...base,
      state: "error",
      message: `The SQL thread stopped on an event it could not apply (${sqlError}).`,
      hint: "Fix the conflicting data on the slave and Start SQL thread, or Skip 1 error if you are sure the event can be ignored (the slave's data then differs from the master's).",
    };
  }
  if (ioErrno) {
    return {
      ...base,
      state: "error",
      message: `The IO thread reports an error (${ioError}).`,
      hint: "See the master's error log and the slave's, then Full start.",
    };
  }
  if (io === "Yes" && sql === "Yes") {
    return {
      ...base,
      state: "running",
      message: behind === null ? `Replicating from ${master}.` : `Replicating from ${master}, ${behind} s behind.`,
      hint: null,
    };
  }
  if (io === "Connecting") {
    return { ...base, state: "connecting", message: `Connecting to the master at ${master}…`, hint: null };
  }
  if (io !== "Yes" && sql !== "Yes") {
    return {
      ...base,
      state: "stopped",
      message: "Replication is stopped (both threads).",
      hint: 'Click "Control slave → Full start".',
    };
  }
  return {
    ...base,
    state: "stopped",
    message:
      io === "Yes"
        ? "The SQL thread is stopped: events arrive but are not applied."
        : "The IO thread is stopped: no new events arrive from the master.",
    hint: io === "Yes" ? "Start SQL thread (or Full start)." : "Start IO thread (or Full start).",
  };
}
