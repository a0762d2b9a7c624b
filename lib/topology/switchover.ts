import type { Connection } from "mysql2/promise";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { asRoot, openRoot } from "@/lib/environments/root";
import { getEnvironment, type EnvironmentWithNodes } from "@/lib/environments/service";
import { ServiceError } from "@/lib/errors";
import { topologyLock } from "@/lib/locks";
import { changeMaster, controlSlave } from "@/lib/mariadb/replication";
import { killClientSessions } from "@/lib/mariadb/sessions";
import { environmentName } from "@/lib/names";
import { beginOperation } from "@/lib/operations";
import { parseInput } from "@/lib/validation";
import { ensureReplicationAccount, type ReplicationLogin } from "./account";
import { followNewMaster } from "./endpoints";
import { resolveServers, runPhases, type Phase, type Servers } from "./phases";
import { preflight } from "./preflight";
import { takeSemiSyncRole } from "./semisync";
import { namedConnectionsFrom, persistRoles, repointAll, repointNamedConnections } from "./repoint";
import { waitReplicating } from "./steps";

// Planned switchover (master alive), as named phases over a context resolved once.

export const switchoverInput = z.strictObject({
  candidate: environmentName,
  demoteOldMaster: z.boolean().default(true),
});

interface Switchover {
  actor: Actor;
  servers: Servers;
  demoteOldMaster: boolean;
  master: EnvironmentWithNodes;
  candidate: EnvironmentWithNodes;
  others: EnvironmentWithNodes[];
  /** The root session on the old master that holds its read lock from freeze to fence. */
  hold: Connection;
  frozenAt: number;
  position: string;
  readOnlyMs: number;
  promoted: boolean;
  fenced: boolean;
  login: ReplicationLogin | null;
  repointed: EnvironmentWithNodes[];
}

const phases: Phase<Switchover>[] = [
  {
    label: (s) => `freezing ${s.master.name} (read-only)`,
    run: async (s) => {
      s.frozenAt = performance.now();
      // read_only first (it waits for commits in flight; later commits of ordinary accounts fail), then the read
      // lock, which also holds accounts that bypass read_only; their queued statements are killed at promotion.
      await s.hold.query("SET GLOBAL read_only = 1");
      await s.hold.query("FLUSH TABLES WITH READ LOCK");
      const [[{ pos }]] = (await s.hold.query("SELECT @@gtid_binlog_pos AS pos")) as unknown as [{ pos: string }[]];
      s.position = pos;
    },
  },
  {
    label: (s) => `waiting for ${s.candidate.name} to execute ${s.position || "everything"}`,
    run: async (s) => {
      const caughtUp = await asRoot(s.candidate, async (c) => {
        const [[r]] = (await c.query("SELECT MASTER_GTID_WAIT(?, 30) AS w", [s.position])) as unknown as [
          { w: number }[],
        ];
        return Number(r.w) === 0;
      });
      if (!caughtUp)
        throw new ServiceError(
          504,
          "catch_up_timeout",
          `${s.candidate.name} did not catch up within 30 s; ${s.master.name} was made writable again`,
        );
    },
  },
  {
    label: (s) => `promoting ${s.candidate.name}`,
    run: async (s) => {
      await asRoot(s.candidate, async (c) => {
        await controlSlave(c, "remove");
        if (s.master.semiSync) await takeSemiSyncRole(c, "master", s.master.semiSyncTimeoutMs);
        await c.query("SET GLOBAL read_only = 0");
      });
      s.promoted = true;
      // From here on a queued write must never reach the old master: sessions are killed now, again right before
      // the unlock, and when anything in between fails.
      await killClientSessions(s.hold);
    },
  },
  {
    label: () => "moving the writer endpoint to the new master",
    run: async (s) => {
      await followNewMaster(s.actor, s.master.name, s.candidate.name);
      s.readOnlyMs = Math.round(performance.now() - s.frozenAt);
    },
  },
  {
    label: (s) => `fencing ${s.master.name}: closing its client sessions`,
    run: async (s, step) => {
      await killClientSessions(s.hold);
      await s.hold.query("UNLOCK TABLES"); // read_only stays on: the old master is fenced
      s.fenced = true;
      // Its slave side is ready for when it follows the new master (now, or after a re-seed).
      if (s.master.semiSync) await takeSemiSyncRole(s.hold, "slave", s.master.semiSyncTimeoutMs);
      await persistRoles(s.actor, s.master.name, s.candidate.name, step);
    },
  },
  {
    label: (s) => `repointing ${s.others.length ? s.others.map((o) => o.name).join(", ") : "no other slaves"}`,
    run: async (s, step) => {
      s.login = await ensureReplicationAccount(s.candidate);
      s.repointed = await repointAll(s.others, s.login, step);
      const named = await namedConnectionsFrom(s.actor, s.master.name, s.servers);
      await repointNamedConnections(named, s.candidate.name, s.login, step);
    },
  },
  {
    label: (s) => (s.demoteOldMaster ? `putting ${s.master.name} under ${s.candidate.name}` : null),
    run: async (s) => {
      if (!s.demoteOldMaster) return;
      await asRoot(s.master, async (c) => {
        await c.query("SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos");
        await changeMaster(c, { ...s.login!, mode: "gtid" });
        await controlSlave(c, "full-start");
      });
      s.repointed.push(s.master);
    },
  },
  { label: () => null, run: async (s) => void (await Promise.all(s.repointed.map((e) => waitReplicating(e)))) },
  { label: () => "done", run: async () => undefined },
];

/**
 * Planned switchover (master alive): freeze the master (global read lock + read_only), wait until the candidate
 * has executed everything, promote it, repoint the other slaves, and optionally put the old master under it.
 */
export async function beginSwitchover(actor: Actor, masterName: string, raw: unknown) {
  const master = await getEnvironment(actor, masterName);
  const input = parseInput(switchoverInput, raw);
  const report = await preflight(actor, master.name, input.candidate);
  if (!report.masterAlive) throw new ServiceError(409, "master_down", `${master.name} is down: use failover`);
  if (report.blocked) throw new ServiceError(409, "blocked", report.blocked);
  return beginOperation(
    { userId: actor.id, action: "topology.switchover", environmentId: master.id, target: master.name, params: input },
    (step) =>
      topologyLock(master.ownerId, async () => {
        const servers = await resolveServers(master.ownerId);
        const others = report.candidates.map((c) => c.name).filter((n) => n !== input.candidate);
        const s: Switchover = {
          actor,
          servers,
          demoteOldMaster: input.demoteOldMaster,
          master: servers.get(master.name),
          candidate: servers.get(input.candidate),
          others: others.map(servers.get),
          hold: await openRoot(master),
          frozenAt: 0,
          position: "",
          readOnlyMs: 0,
          promoted: false,
          fenced: false,
          login: null,
          repointed: [],
        };
        try {
          await runPhases(s, phases, step);
          const repointed = s.repointed.filter((e) => e !== s.master).map((e) => e.name);
          return {
            newMaster: s.candidate.name,
            readOnlyMs: s.readOnlyMs,
            repointed,
            notRepointed: others.filter((n) => !repointed.includes(n)),
            oldMaster: input.demoteOldMaster ? "slave" : "read-only",
          };
        } catch (e) {
          // Aborted before the promotion: the old master takes writes again.
          if (!s.promoted) await s.hold.query("SET GLOBAL read_only = 0").catch(() => undefined);
          throw e;
        } finally {
          if (s.promoted && !s.fenced) await killClientSessions(s.hold).catch(() => undefined);
          s.hold.destroy();
        }
      }),
  );
}
