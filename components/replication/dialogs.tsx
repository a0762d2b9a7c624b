"use client";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { DialogActions, Modal } from "@/components/ui/modal";
import type { MasterCandidate, ReplicationView } from "./types";

export function AddUserDialog({
  onClose,
  onSubmit,
  pending,
  error,
}: {
  onClose: () => void;
  onSubmit: (i: { user: string; password: string; host: string }) => void;
  pending: boolean;
  error?: string;
}) {
  return (
    <Modal title="Add slave replication user" onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          onSubmit({ user: String(f.get("user")), password: String(f.get("password")), host: String(f.get("host")) });
        }}
      >
        <Field id="repl-user" name="user" label="User name" required maxLength={80} autoComplete="off" />
        <Field
          id="repl-password"
          name="password"
          label="Password"
          type="password"
          required
          autoComplete="new-password"
        />
        <Field
          id="repl-host"
          name="host"
          label="Host"
          defaultValue="%"
          required
          hint="Where slaves connect from; % allows any host."
        />
        <p className="text-xs text-slate-500">Grants REPLICATION SLAVE (and REPLICATION CLIENT for status) on *.*.</p>
        <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Go" />
      </form>
    </Modal>
  );
}

export function ConfigureMasterDialog({
  multiSource = false,
  masters,
  defaults,
  onClose,
  onSubmit,
  pending,
  error,
}: {
  multiSource?: boolean;
  masters: MasterCandidate[];
  defaults: ReplicationView["slave"];
  onClose: () => void;
  onSubmit: (input: unknown) => void;
  pending: boolean;
  error?: string;
}) {
  const [source, setSource] = useState(masters[0]?.name ?? "__other");
  const [mode, setMode] = useState<"gtid" | "binlog">("gtid");
  return (
    <Modal title={multiSource ? "Add source" : "Configure master"} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const target =
            source === "__other"
              ? { host: String(f.get("host")), port: Number(f.get("port")) }
              : { masterEnvironment: source };
          const position =
            mode === "binlog" ? { logFile: String(f.get("logFile")), logPos: Number(f.get("logPos")) } : {};
          const named = multiSource
            ? { connection: String(f.get("connection")), ownGtidDomain: f.get("ownGtidDomain") === "on" }
            : {};
          onSubmit({
            ...named,
            ...target,
            user: String(f.get("user")),
            password: String(f.get("password")),
            mode,
            ...position,
          });
        }}
      >
        {multiSource && (
          <Field
            id="connection-name"
            name="connection"
            label="Connection name"
            required
            maxLength={64}
            pattern="[A-Za-z0-9_\-]+"
            hint="A named connection (CHANGE MASTER 'name' TO …): this slave keeps its other masters."
            autoComplete="off"
          />
        )}
        <div className="space-y-1">
          <label htmlFor="master-source" className="block text-sm font-medium text-slate-700">
            Master
          </label>
          <select
            id="master-source"
            value={source}
            onChange={(e) => setSource(e.target.value)}
            className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          >
            {masters.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} ({m.host}:{m.port})
              </option>
            ))}
            <option value="__other">Other host…</option>
          </select>
        </div>
        {source === "__other" && (
          <div className="grid grid-cols-[2fr_1fr] gap-2">
            <Field
              id="master-host"
              name="host"
              label="Host"
              required
              defaultValue={defaults ? String(defaults.Master_Host ?? "") : ""}
            />
            <Field
              id="master-port"
              name="port"
              label="Port"
              type="number"
              required
              defaultValue={defaults ? String(defaults.Master_Port ?? 3306) : "3306"}
            />
          </div>
        )}
        <Field
          id="master-user"
          name="user"
          label="Replication user"
          required
          defaultValue={defaults ? String(defaults.Master_User ?? "") : ""}
          autoComplete="off"
        />
        <Field
          id="master-password"
          name="password"
          label="Replication password"
          type="password"
          required
          autoComplete="off"
        />
        <fieldset className="space-y-1 text-sm">
          <legend className="font-medium text-slate-700">Start position</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "gtid"} onChange={() => setMode("gtid")} /> GTID
            (slave_pos) — recommended
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "binlog"} onChange={() => setMode("binlog")} /> Binary log
            file and position
          </label>
        </fieldset>
        {mode === "binlog" && (
          <div className="grid grid-cols-[2fr_1fr] gap-2">
            <Field id="log-file" name="logFile" label="Log file" placeholder="mysql-bin.000001" required />
            <Field id="log-pos" name="logPos" label="Position" type="number" min={4} required />
          </div>
        )}
        {multiSource && (
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="ownGtidDomain" defaultChecked className="mt-1" />
            <span>
              Give the master its own GTID domain if another source already writes the same one (gtid-domain-id, no
              restart; a master without slaves and databases also gets a fresh binary log)
            </span>
          </label>
        )}
        <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Save" />
      </form>
    </Modal>
  );
}
