import { Button } from "@/components/ui/button";
import type { ReplicationView } from "./types";

/** The master side of a server: binary log, format, position, read_only, and the warnings that go with them. */
export function MasterFacts({
  view,
  pending,
  onEnableBinlog,
}: {
  view: ReplicationView;
  pending: boolean;
  onEnableBinlog: () => void;
}) {
  const m = view.master;
  return (
    <>
      <dl className="grid grid-cols-[10rem_1fr] gap-y-1">
        <dt className="text-slate-500">server_id</dt>
        <dd data-testid="master-server-id">{m.serverId}</dd>
        <dt className="text-slate-500">Binary log</dt>
        <dd data-testid="log-bin" className={m.logBin ? "text-emerald-700" : "text-red-700"}>
          {m.logBin ? "ON" : "OFF"}
        </dd>
        <dt className="text-slate-500">binlog_format</dt>
        <dd className={m.binlogFormat === "STATEMENT" ? "text-amber-700" : ""}>{m.binlogFormat}</dd>
        <dt className="text-slate-500">File / position</dt>
        <dd className="font-mono">{m.file ? `${m.file} / ${m.position}` : "—"}</dd>
        <dt className="text-slate-500">gtid_binlog_pos</dt>
        <dd className="font-mono">{m.gtidBinlogPos || "—"}</dd>
        <dt className="text-slate-500">read_only</dt>
        <dd>{m.readOnly ? "ON" : "OFF"}</dd>
      </dl>
      {!m.logBin && (
        <div
          className={`space-y-2 rounded-md border p-3 ${view.slave ? "border-slate-200 bg-slate-50 text-slate-700" : "border-amber-300 bg-amber-50 text-amber-900"}`}
        >
          <p>
            Binary logging is off: this server cannot be a master until it writes a binary log
            {view.slave ? " (needed only if other servers should replicate from this slave)." : "."}
          </p>
          <Button disabled={pending} onClick={onEnableBinlog}>
            Enable binary logging (restart)
          </Button>
        </div>
      )}
      {m.binlogFormat === "STATEMENT" && (
        <p className="text-amber-800">
          binlog_format is STATEMENT: you will get replication errors later on. Set binlog-format = mixed in Config.
        </p>
      )}
      {view.anonymousUsers.length > 0 && (
        <p className="text-amber-800">
          Anonymous users exist ({view.anonymousUsers.map((h) => `''@${h}`).join(", ")}): they shadow replication users
          and cause 1045 errors.
        </p>
      )}
    </>
  );
}
