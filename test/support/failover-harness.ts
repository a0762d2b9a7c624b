import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import type { Actor } from "../../lib/auth/actor";
import { waitFor } from "./wait";
import { missingOn, type WriteLoad } from "./write-load";

// A topology to fail over under load, and one SIGKILL-to-verdict run: shared by the durability test and the bench.
// Lib modules load lazily (after the caller has chosen its data dir).

export const APP = { user: "appuser", password: "app-pass-1", table: "app.acked" };

const lib = async () => ({
  svc: await import("../../lib/environments/service"),
  rep: await import("../../lib/environments/replication"),
  topo: await import("../../lib/topology"),
  told: await import("../../lib/topology/endpoints"),
  db: (await import("../../lib/db/client")).db,
});

export async function rootOf(actor: Actor, name: string) {
  const c = await (await lib()).svc.connectionDetails(actor, name);
  return mysql.createConnection({ host: c.host, port: c.port, user: "root", password: c.password });
}

/** A master with two seeded slaves, the default automatic failover policy, and a writer endpoint. */
export async function durableTopology(actor: Actor, name: string, semiSync: boolean) {
  const { svc, rep, topo, told } = await lib();
  await svc.createEnvironment(actor, { name });
  await rep.enableBinlog(actor, name);
  const c = await rootOf(actor, name);
  await c.query("CREATE DATABASE app");
  await c.query("CREATE TABLE app.acked (id BIGINT PRIMARY KEY)");
  // No SUPER: read_only really refuses its writes on a fenced master.
  await c.query(`CREATE USER ${APP.user}@'%' IDENTIFIED BY '${APP.password}'`);
  await c.query(`GRANT SELECT, INSERT ON app.* TO ${APP.user}@'%'`);
  await c.end();
  await (
    await topo.beginAddSlaves(actor, name, { count: 2 })
  ).done;
  if (semiSync) {
    await topo.setSemiSync(actor, name, { enabled: true });
    // A failover claims "held" only if the monitor (running in the caller) has seen it active.
    await waitFor(async () => (await topo.getSemiSync(actor, name)).observed === "active", {
      what: `${name}: semi-sync seen active by the monitor`,
    });
  }
  await topo.setFailoverPolicy(actor, name, { autoFailover: true });
  const [host, port] = (await told.createEndpoints(actor, name, { name: `${name}-rw` })).writer.split(":");
  return { host, port: Number(port) };
}

export async function failoversOf(target: string) {
  const { db } = await lib();
  return db().operation.findMany({ where: { action: "topology.failover", target }, orderBy: { startedAt: "asc" } });
}

export interface Run {
  acked: number;
  /** Acknowledged ids missing on the new master. */
  lost: number[];
  /** SIGKILL → the first acknowledgement of a write sent after it. */
  unavailableMs: number;
  steps: string[];
  newMaster: string;
}

/** 400 acknowledged writes, SIGKILL of the master, the automatic failover, 200 more writes, then the count. */
export async function killUnderLoad(actor: Actor, name: string, load: WriteLoad): Promise<Run> {
  const { svc } = await lib();
  const before = load.acked.length;
  await waitFor(() => load.acked.length >= before + 400, { what: `${name}: 400 acknowledged writes before the kill` });
  const master = await svc.getEnvironment(actor, name);
  const killedAt = Date.now();
  process.kill(master.nodes[0].pid!, "SIGKILL");
  const { value: op } = await waitFor(async () => (await failoversOf(name)).find((o) => o.status !== "running"), {
    what: `${name}: the automatic failover to finish`,
  });
  const steps = (JSON.parse(op.steps) as { name: string }[]).map((s) => s.name);
  assert.equal(op.status, "succeeded", `${op.error}\n${steps.join("\n")}`);
  const { value: firstAck } = await waitFor(() => load.firstAckSentAfter(killedAt), {
    what: "a write acknowledged by the new master",
  });
  await waitFor(() => load.acked.length >= before + 600, { what: "writes going on after the failover" });
  await load.stop();
  const newMaster = steps.map((s) => /^promoting (\S+)$/.exec(s)?.[1]).find(Boolean)!;
  return {
    acked: load.acked.length,
    lost: await missingOn(await svc.connectionDetails(actor, newMaster), APP.table, load.acked),
    unavailableMs: firstAck - killedAt,
    steps,
    newMaster,
  };
}
