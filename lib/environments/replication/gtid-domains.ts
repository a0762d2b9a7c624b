import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import { clientSessions } from "@/lib/mariadb/sessions";
import * as repl from "@/lib/mariadb/replication";
import { getServerOption, setServerOptions } from "@/lib/mycnf/parse";
import { editConfig } from "../config";
import { asRoot } from "../root";
import { listEnvironments, primaryNode, type EnvironmentWithNodes } from "../service";
import { userDatabases } from "@/lib/mariadb/schemas";
import { slavesOf } from "./status";
// Multi-source: every source writes its own GTID domain, given (and undone) with the master's my.cnf.

/**
 * A multi-source slave keeps one GTID position per domain: two masters writing the same domain would overwrite
 * each other's position and break on the next reconnect. Returns the domain to give the new master (and whether
 * its binary log must start afresh), refuses with the reason, or null when there is nothing to fear.
 *
 * Measured on 10.11: a master whose binary log already holds events of a domain another source owns cannot be
 * added at all — by GTID it refuses the connection (MariaDB checks every domain of the slave's position, even
 * with IGNORE_DOMAIN_IDS: 1236 "GTID 0-1-4 not in the master's binlog"), by file/position its Gtid_list moves the
 * slave's position for that domain. So such history must go: a master without slaves and without databases
 * (a fresh one: its history is its replication user) gets a fresh binary log with its new domain.
 */
export async function gtidDomainClash(
  actor: Actor,
  slave: EnvironmentWithNodes,
  master: EnvironmentWithNodes,
  others: repl.SlaveConnection[],
  fix: boolean,
): Promise<{ domainId: number; freshBinlog: boolean } | null> {
  const mine = await asRoot(master, repl.gtidDomains);
  const envs = await listEnvironments(actor);
  const taken = new Set<number>();
  // The other sources' own domains, asked from them (a connection's Gtid_IO_Pos starts as the slave's whole
  // position, every domain included, so it cannot tell whose a domain is). A source that cannot be asked (an
  // outside host, stopped) may own any domain the slave has executed.
  let unknown = false;
  for (const o of others) {
    const source = envs.find(
      (e) => e.nodes[0] && e.nodes[0].host === o.status.Master_Host && e.nodes[0].port === Number(o.status.Master_Port),
    );
    const domains =
      source && source.status === "running"
        ? await asRoot(source, repl.gtidDomains).then(
            (d) => d.domains,
            () => null,
          )
        : null;
    if (domains) for (const d of domains) taken.add(d);
    else unknown = true;
  }
  if (unknown) {
    const executed = await asRoot(slave, async (c) => {
      const [[r]] = (await c.query("SELECT @@gtid_slave_pos AS p")) as unknown as [{ p: string }[]];
      return String(r.p ?? "")
        .split(",")
        .filter(Boolean)
        .map((g) => Number(g.split("-")[0]));
    });
    for (const d of executed) taken.add(d);
  }
  const history = mine.written.filter((d) => taken.has(d));
  if (!taken.has(mine.domainId) && !history.length) return null;
  const clash = [...new Set([...(taken.has(mine.domainId) ? [mine.domainId] : []), ...history])];
  const problem = `${master.name} writes (or has written) GTID domain ${clash.join(", ")}, which another source of this slave already uses: the slave would mix up their positions.`;
  if (!fix) {
    throw new ServiceError(409, "gtid_domain_clash", problem, [
      `Tick "Give ${master.name} its own GTID domain" (API: ownGtidDomain: true).`,
    ]);
  }
  if (history.length) await requireFresh(actor, master, problem);
  let domainId = primaryNode(master).serverId;
  while (taken.has(domainId)) domainId++;
  return { domainId, freshBinlog: history.length > 0 };
}

/**
 * A master whose binary log may be reset: nobody reads it (no dump thread, no environment of the owner points
 * at it, connected or not) and it holds no databases — its log only has its replication user.
 */
async function requireFresh(actor: Actor, master: EnvironmentWithNodes, problem: string) {
  const [dumps, databases] = await asRoot(master, async (c) => {
    const [d] = await c.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'",
    );
    return [Number((d as { n: number }[])[0].n), await userDatabases(c, ["mariner_canary"])] as const;
  });
  const readers = dumps || (await slavesOf(actor, master)).length;
  if (readers || databases.length) {
    throw new ServiceError(
      409,
      "gtid_domain_clash",
      `${problem} Its binary log already holds those events${readers ? `, ${readers} slave(s) read it` : ""}${databases.length ? `, and it holds databases (${databases.join(", ")})` : ""}: MariaDB cannot take it as a second source (by GTID it refuses the connection, by file/position it moves the other source's position).`,
      [
        `Make a fresh master the source (its first events then carry its own domain), or copy its databases to this slave and replicate them another way.`,
      ],
    );
  }
}

/**
 * gtid-domain-id set live and persisted in my.cnf (no restart: the variable is dynamic). Sessions opened before
 * keep their old domain until they reconnect, and their writes would still clash: after the change, any client
 * session older than a marker connection opened right after it (whatever the account — applications may log
 * in as root) that is still there a moment later puts the old domain back and refuses.
 */
export async function giveGtidDomain(
  actor: Actor,
  master: EnvironmentWithNodes,
  domainId: number,
  freshBinlog: boolean,
) {
  // my.cnf first (it may be refused), then the live value; any later failure puts both back.
  let before: string | null = null;
  const give = (content: string) => {
    before = getServerOption(content, "gtid-domain-id") ?? null;
    return setServerOptions(content, { "gtid-domain-id": String(domainId) });
  };
  await editConfig(actor, master.name, give, {
    message: `gtid-domain-id = ${domainId} (multi-source)`,
    restart: false,
  });
  let previous: number | null = null;
  try {
    previous = await asRoot(master, async (c) => {
      const [[r]] = (await c.query("SELECT @@GLOBAL.gtid_domain_id AS d")) as unknown as [{ d: number }[]];
      await c.query("SET GLOBAL gtid_domain_id = ?", [domainId]);
      return Number(r.d);
    });
    const marker = await asRoot(master, async (c) => {
      const [[r]] = (await c.query("SELECT CONNECTION_ID() AS id")) as unknown as [{ id: number }[]];
      return Number(r.id);
    });
    await new Promise((r) => setTimeout(r, 300)); // the console's own short checks end within this
    const older = await asRoot(master, async (c) => (await clientSessions(c)).filter((s) => s.id < marker));
    if (older.length) {
      const users = [...new Set(older.map((s) => s.user))].join(", ");
      throw new ServiceError(
        409,
        "sessions_open",
        `${older.length} client session(s) opened before the change are still open on ${master.name} (users: ${users}): they would keep writing the shared GTID domain. Close them (or restart ${master.name}), then add the source again.`,
      );
    }
    if (freshBinlog) {
      await requireFresh(actor, master, `${master.name}'s binary log cannot be started afresh.`); // again, right before
      await asRoot(master, (c) => repl.resetBinaryLog(c));
    }
  } catch (e) {
    if (previous !== null)
      await asRoot(master, (c) => c.query("SET GLOBAL gtid_domain_id = ?", [previous])).catch(() => undefined);
    await editConfig(actor, master.name, (content) => setServerOptions(content, { "gtid-domain-id": before }), {
      message: "gtid-domain-id change undone",
      restart: false,
    }).catch(() => undefined);
    throw e;
  }
}
