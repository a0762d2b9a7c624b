import crypto from "node:crypto";
import type { Actor } from "@/lib/auth/actor";
import { explainSlave } from "@/lib/mariadb/health";
import { listDatabases } from "@/lib/mariadb/sql";
import { runOperation } from "@/lib/operations";
import { asRoot, openRoot } from "../root";
import { getEnvironment, type EnvironmentWithNodes } from "../service";
import { slavesOf } from "./status";
// Check replication: a canary row written on the master and timed on each slave.

/** Writes a canary row on the master and times its arrival on each slave (null: not within the timeout). */
export async function measureCanary(
  master: EnvironmentWithNodes,
  slaves: EnvironmentWithNodes[],
  timeoutMs = 5000,
): Promise<(number | null)[]> {
  const token = crypto.randomBytes(8).toString("hex");
  return asRoot(master, async (m) => {
    await m.query("CREATE DATABASE IF NOT EXISTS mariner_canary");
    await m.query(
      "CREATE TABLE IF NOT EXISTS mariner_canary.canary (id INT PRIMARY KEY, token VARCHAR(32) NOT NULL, written_at DATETIME(6) NOT NULL)",
    );
    const conns = await Promise.all(slaves.map((s) => openRoot(s)));
    try {
      const t0 = performance.now();
      await m.query("REPLACE INTO mariner_canary.canary VALUES (1, ?, NOW(6))", [token]);
      return await Promise.all(
        conns.map((c) =>
          waitFor(
            () =>
              c
                .query("SELECT token FROM mariner_canary.canary WHERE id = 1")
                .then(([r]) => (r as { token: string }[])[0]?.token === token)
                .catch(() => false),
            t0,
            timeoutMs,
          ),
        ),
      );
    } finally {
      for (const c of conns) c.destroy();
    }
  });
}

/**
 * The article's "Check the results": a canary row timed on each slave, then the literal check: a database
 * created on the master shows up in each slave's database list (then dropped).
 */
export async function checkReplication(actor: Actor, name: string, timeoutMs = 5000) {
  const env = await getEnvironment(actor, name);
  const slaves = await slavesOf(actor, env);
  return runOperation(
    { userId: actor.id, action: "replication.check", environmentId: env.id, target: env.name },
    async () => {
      const canary = await measureCanary(
        env,
        slaves.map((s) => s.env),
        timeoutMs,
      );
      const literal = await asRoot(env, async (master) => {
        const conns = await Promise.all(slaves.map((s) => openRoot(s.env)));
        try {
          await master.query("CREATE DATABASE IF NOT EXISTS mariner_check");
          const t1 = performance.now();
          const seen = await Promise.all(
            conns.map((c) => waitFor(async () => (await listDatabases(c)).includes("mariner_check"), t1, timeoutMs)),
          );
          await master.query("DROP DATABASE IF EXISTS mariner_check");
          return seen;
        } finally {
          for (const c of conns) c.destroy();
        }
      });
      return {
        master: env.name,
        slaves: slaves.map((s, i) => ({
          environment: s.env.name,
          arrived: canary[i] !== null,
          ms: canary[i],
          databaseVisible: literal[i] !== null,
          health: explainSlave(s.status),
        })),
      };
    },
  );
}

/** Polls `probe` until true; returns the milliseconds since `t0`, or null after the timeout. */
async function waitFor(probe: () => Promise<boolean>, t0: number, timeoutMs: number): Promise<number | null> {
  while (performance.now() - t0 < timeoutMs) {
    if (await probe()) return Math.round((performance.now() - t0) * 10) / 10;
    await new Promise((r) => setTimeout(r, 1));
  }
  return null;
}
