"use server";
import { requireActor } from "@/lib/auth/session";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import * as replication from "@/lib/environments/replication";
import { setReplicationTls } from "@/lib/environments/tls";

export type Outcome<T = unknown> = ActionResult<{ value: T }>;

const attempt = <T>(work: () => Promise<T>): Promise<Outcome<T>> => actionResult(async () => ({ value: await work() }));

export async function addReplicationUserAction(name: string, input: { user: string; password: string; host: string }) {
  const actor = await requireActor();
  return attempt(() => replication.addReplicationUser(actor, name, input));
}

export async function dropReplicationUserAction(name: string, input: { user: string; host: string }) {
  const actor = await requireActor();
  return attempt(() => replication.dropReplicationUser(actor, name, input));
}

export async function configureMasterAction(name: string, input: unknown) {
  const actor = await requireActor();
  return attempt(() => replication.configureMaster(actor, name, input));
}

export async function controlSlaveAction(name: string, action: string, count?: number, connection?: string) {
  const actor = await requireActor();
  return attempt(async () => {
    await replication.controlSlave(actor, name, { action, count, connection });
  });
}

export async function checkReplicationAction(name: string) {
  const actor = await requireActor();
  return attempt(() => replication.checkReplication(actor, name));
}

export async function enableBinlogAction(name: string) {
  const actor = await requireActor();
  return attempt(async () => {
    await replication.enableBinlog(actor, name);
  });
}

export async function replicationTlsAction(name: string, enabled: boolean) {
  const actor = await requireActor();
  return attempt(() => setReplicationTls(actor, name, { enabled }));
}
