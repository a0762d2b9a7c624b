"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import {
  dropAccountAction,
  grantAction,
  lockAction,
  passwordAction,
} from "@/app/(console)/environments/[name]/databases/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CopyBlock } from "@/components/ui/copy-block";
import { ErrorLines } from "@/components/ui/error-lines";
import { Field } from "@/components/ui/field";
import { DialogActions, Modal } from "@/components/ui/modal";
import { Table } from "@/components/ui/table";
import { grantPlan, type Held, type Level } from "@/lib/accounts/privileges";
import type { AccountKind } from "@/lib/data/accounts";
import type { AccountInfo } from "@/lib/mariadb/accounts";
import { AccountForm, LevelSelect } from "./account-form";

type Account = AccountInfo & { kind: AccountKind };
type Pending =
  | { kind: "grant"; account: Account; database: string; held: string[]; level: Level | "none" }
  | { kind: "password"; account: Account }
  | { kind: "drop"; account: Account };

const KIND_LABELS: Record<AccountKind, string> = {
  application: "application",
  replication: "replication (Replication tab)",
  console: "server / console (protected)",
};

/** Accounts with their access per database as a matrix; only application accounts can be changed here. */
export function AccountsCard({
  name,
  accounts,
  databases,
  readOnly,
}: {
  name: string;
  accounts: Account[];
  databases: string[];
  readOnly: boolean;
}) {
  const router = useRouter();
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, startTransition] = useTransition();
  const [error, setError] = useState<{ message: string; lines: string[] } | null>(null);
  const heldOn = (a: Account, d: string): Held => a.databases.find((x) => x.database === d)?.level ?? "none";
  const privilegesOn = (a: Account, d: string) => a.databases.find((x) => x.database === d)?.privileges ?? [];
  const toggleLock = (a: Account) =>
    startTransition(async () => {
      const res = await lockAction(name, { user: a.user, host: a.host, locked: !a.locked });
      setError(res.ok ? null : { message: res.error, lines: res.lines });
      router.refresh();
    });
  return (
    <Card title="Accounts">
      <div className="overflow-x-auto">
        <Table columns={["Account", "Kind", "Status", ...databases, ""]} data-testid="accounts">
          {accounts.map((a) => {
            const editable = a.kind === "application" && !readOnly;
            return (
              <tr key={`${a.user}@${a.host}`} className="border-t border-slate-100" data-testid="account-row">
                <td className="py-1.5 font-mono">{`'${a.user}'@'${a.host}'`}</td>
                <td className="py-1.5 text-xs text-slate-600">
                  {KIND_LABELS[a.kind]}
                  {a.kind === "application" && a.global.length > 0 && (
                    <span className="ml-1 text-amber-700" title="Granted outside this tab">
                      · also {a.global.join(", ")} on every database
                    </span>
                  )}
                </td>
                <td className="py-1.5 text-xs">
                  {a.locked ? <span className="text-red-700">locked</span> : "active"}
                  {a.requireSsl && " · TLS required"}
                </td>
                {databases.map((d) => (
                  <td key={d} className="py-1.5">
                    <LevelSelect
                      label={`${a.user}@${a.host} on ${d}`}
                      value={heldOn(a, d)}
                      disabled={!editable}
                      onChange={(level) =>
                        setPending({ kind: "grant", account: a, database: d, held: privilegesOn(a, d), level })
                      }
                    />
                  </td>
                ))}
                <td className="space-x-1 whitespace-nowrap py-1.5 text-right">
                  {editable && (
                    <>
                      <Button variant="ghost" onClick={() => setPending({ kind: "password", account: a })}>
                        Change password
                      </Button>
                      <Button variant="ghost" disabled={busy} onClick={() => toggleLock(a)}>
                        {a.locked ? "Unlock" : "Lock"}
                      </Button>
                      <Button
                        variant="ghost"
                        className="text-red-700"
                        onClick={() => setPending({ kind: "drop", account: a })}
                      >
                        Drop
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Read-only: SELECT, SHOW VIEW · Read-write: also INSERT, UPDATE, DELETE, temporary tables, LOCK TABLES, EXECUTE ·
        DDL: also CREATE, ALTER, DROP, INDEX, views, routines, triggers, events · All: ALL PRIVILEGES on that database.
        No level gives FILE, SUPER, PROCESS or access to other databases.
      </p>
      {error && <ErrorLines message={error.message} lines={error.lines} />}
      {!readOnly && <AccountForm name={name} databases={databases} />}
      {pending?.kind === "grant" && <GrantDialog name={name} change={pending} onClose={() => setPending(null)} />}
      {pending?.kind === "password" && (
        <PasswordDialog name={name} account={pending.account} onClose={() => setPending(null)} />
      )}
      {pending?.kind === "drop" && (
        <DropDialog name={name} account={pending.account} onClose={() => setPending(null)} />
      )}
    </Card>
  );
}

function useDialogAction(onClose: () => void) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string>();
  const run = (work: () => Promise<{ ok: true } | { ok: false; error: string }>, close = true) =>
    startTransition(async () => {
      const res = await work();
      if (!res.ok) return setError(res.error);
      router.refresh();
      if (close) onClose();
    });
  return { pending, error, run };
}

function GrantDialog({
  name,
  change,
  onClose,
}: {
  name: string;
  change: Extract<Pending, { kind: "grant" }>;
  onClose: () => void;
}) {
  const { pending, error, run } = useDialogAction(onClose);
  const { account: a, database, held, level } = change;
  const statements = grantPlan(a.user, a.host, database, held, level);
  return (
    <Modal title={`Access of ${a.user}@${a.host} to ${database}`} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => grantAction(name, { user: a.user, host: a.host, database, level }));
        }}
      >
        <p className="text-sm text-slate-600">Runs on the master; its slaves follow:</p>
        <pre className="overflow-x-auto rounded-md bg-slate-50 p-2 font-mono text-xs" data-testid="grant-preview">
          {statements.map((s) => `${s};`).join("\n") || "(nothing changes)"}
        </pre>
        <DialogActions error={error} pending={pending || !statements.length} onCancel={onClose} submitLabel="Run" />
      </form>
    </Modal>
  );
}

function PasswordDialog({ name, account: a, onClose }: { name: string; account: Account; onClose: () => void }) {
  const { pending, error, run } = useDialogAction(onClose);
  const [typed, setTyped] = useState("");
  const [generated, setGenerated] = useState<string | null>(null);
  return (
    <Modal title={`New password for ${a.user}@${a.host}`} onClose={onClose}>
      {generated ? (
        <div className="space-y-3 text-sm">
          <p role="status">The new password, shown once:</p>
          <CopyBlock text={generated} />
          <div className="flex justify-end">
            <Button onClick={onClose}>Done</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const res = await passwordAction(name, {
                user: a.user,
                host: a.host,
                ...(typed ? { password: typed } : {}),
              });
              if (res.ok && res.password) setGenerated(res.password);
              return res;
            }, !!typed);
          }}
        >
          <Field
            id="new-password"
            label="New password"
            type="password"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="leave empty to generate one"
            autoComplete="new-password"
          />
          <p className="text-xs text-slate-500">Applications logged in keep their sessions; new logins need it.</p>
          <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Change password" />
        </form>
      )}
    </Modal>
  );
}

function DropDialog({ name, account: a, onClose }: { name: string; account: Account; onClose: () => void }) {
  const { pending, error, run } = useDialogAction(onClose);
  return (
    <Modal title={`Drop ${a.user}@${a.host}`} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => dropAccountAction(name, { user: a.user, host: a.host }));
        }}
      >
        <p className="text-sm text-slate-600">
          The account and its grants are removed on this server and its slaves; applications using it can no longer log
          in.
        </p>
        <DialogActions error={error} pending={pending} onCancel={onClose} submitLabel="Drop account" />
      </form>
    </Modal>
  );
}
