import type { SlaveStatusRow } from "@/lib/mariadb/replication";

/** SHOW SLAVE STATUS, every column, grouped the way a DBA reads it. */
const GROUPS: [string, RegExp][] = [
  [
    "Threads",
    /^(Slave_IO_State|Slave_IO_Running|Slave_SQL_Running|Slave_SQL_Running_State|Slave_SQL_State|Connection_name)$/,
  ],
  [
    "Lag",
    /^(Seconds_Behind_Master|SQL_Delay|SQL_Remaining_Delay|Slave_DDL_Groups|Slave_Non_Transactional_Groups|Slave_Transactional_Groups)$/,
  ],
  [
    "Errors",
    /^(Last_Errno|Last_Error|Skip_Counter|Last_IO_Errno|Last_IO_Error|Last_SQL_Errno|Last_SQL_Error|Replicate_Ignore_Server_Ids)$/,
  ],
  [
    "Master connection",
    /^(Master_Host|Master_User|Master_Port|Connect_Retry|Master_Server_Id|Master_Retry_Count|Slave_Heartbeat_Period|Retried_transactions|Max_relay_log_size|Executed_log_entries|Slave_received_heartbeats)$/,
  ],
  [
    "GTID",
    /^(Using_Gtid|Gtid_IO_Pos|Gtid_Slave_Pos|Parallel_Mode|Replicate_Do_Domain_Ids|Replicate_Ignore_Domain_Ids)$/,
  ],
  ["Binary log positions", /(Log_File|Log_Pos|Relay_Log|Relay_Master|Until_|Log_Space)/],
  ["SSL", /SSL/i],
  ["Filters", /^Replicate_/],
];

export function groupSlaveColumns(row: SlaveStatusRow): [string, [string, SlaveStatusRow[string]][]][] {
  const groups = new Map<string, [string, SlaveStatusRow[string]][]>(GROUPS.map(([g]) => [g, []]));
  groups.set("Other", []);
  for (const entry of Object.entries(row)) {
    const group = GROUPS.find(([, re]) => re.test(entry[0]))?.[0] ?? "Other";
    groups.get(group)!.push(entry);
  }
  return [...groups.entries()].filter(([, cols]) => cols.length > 0);
}

function cellClass(key: string, value: unknown) {
  if ((key === "Slave_IO_Running" || key === "Slave_SQL_Running") && value !== "Yes")
    return "text-red-700 font-semibold";
  if ((key === "Slave_IO_Running" || key === "Slave_SQL_Running") && value === "Yes")
    return "text-emerald-700 font-semibold";
  if (/Errno$/.test(key) && Number(value) !== 0) return "text-red-700 font-semibold";
  if (/Error$/.test(key) && value) return "text-red-700";
  return "";
}

export function SlaveStatusTable({ row }: { row: SlaveStatusRow }) {
  const groups = groupSlaveColumns(row);
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="slave-status-table">
      {groups.map(([group, cols]) => (
        <table key={group} className="w-full text-left text-xs">
          <caption className="pb-1 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            {group}
          </caption>
          <tbody>
            {cols.map(([k, v]) => (
              <tr key={k} className="border-t border-slate-100" data-column={k}>
                <th className="w-1/2 py-1 pr-2 font-mono font-normal text-slate-600">{k}</th>
                <td className={`break-all py-1 font-mono ${cellClass(k, v)}`}>
                  {v === null || v === "" ? <span className="text-slate-300">—</span> : String(v)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
