// Swarm figures: environment create → accepting connections on a three-node Swarm, against a plain
// `docker service create` of the same image on the same node (host network, a volume, install-db + mariadbd)
// in the same run.
import path from "node:path";
import mysql from "mysql2/promise";
import type { Actor } from "../lib/auth/actor";
import { startSwarm, stopSwarm } from "../test/support/swarm";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Until something answers the MariaDB protocol at host:port (an access error counts: the server is up). */
async function answers(host: string, port: number) {
  for (;;) {
    const up = await mysql.createConnection({ host, port, user: "root", password: "", connectTimeout: 1000 }).then(
      (c) => c.end().then(() => true),
      (e: { errno?: number }) => (e.errno ?? 0) >= 1000,
    );
    if (up) return;
    await sleep(15);
  }
}

export async function swarmRows(actor: Actor, dataDir: string, runs: number) {
  const hosts = await import("../lib/runtime/hosts");
  const svc = await import("../lib/environments/service");
  const { dockerClient, DEFAULT_IMAGE } = await import("../lib/runtime/docker");
  const { tasksOf } = await import("../lib/runtime/swarm-cluster");
  const { endpoint, tls } = await startSwarm(actor, path.join(dataDir, "swarm-engines"));
  await hosts.registerHost(actor, { name: "bench-swarm", kind: "swarm", endpoint, tls });
  const docker = dockerClient(endpoint, tls);
  try {
    const raw: number[] = [];
    const made: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t1 = performance.now();
      const env = await svc.createEnvironment(actor, { name: `sw${i}`, runtime: "swarm", host: "bench-swarm" });
      made.push(performance.now() - t1);
      const address = env.nodes[0].host;
      await svc.deleteEnvironment(actor, `sw${i}`);

      const node = (await docker.listNodes()).find((n) => n.Status?.Addr === address)!;
      const port = 9400 + i;
      const t0 = performance.now();
      const { id } = (await docker.createService({
        Name: `bench-raw-${i}`,
        TaskTemplate: {
          ContainerSpec: {
            Image: DEFAULT_IMAGE,
            User: "201000:201000",
            Command: [
              "sh",
              "-c",
              `mariadb-install-db --no-defaults --datadir=/var/tmp/d --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1; exec mariadbd --no-defaults --datadir=/var/tmp/d --socket=/var/tmp/s --bind-address=${address} --port=${port}`,
            ],
            Mounts: [{ Type: "volume", Source: `bench-raw-${i}`, Target: "/var/tmp" }],
          },
          RestartPolicy: { Condition: "none" },
          Placement: { Constraints: [`node.id==${node.ID}`] },
          Networks: [{ Target: "host" }],
        },
        Mode: { Replicated: { Replicas: 1 } },
      } as never)) as { id: string };
      await answers(address, port);
      raw.push(performance.now() - t0);
      await docker.getService(id).remove();
      while ((await tasksOf(docker, id).catch(() => [])).length) await sleep(100);
    }
    return [
      {
        figure: "environment create → accepting connections (Swarm service over TLS), median",
        value: median(made),
        baseline: median(raw),
        unit: "ms",
        goal: "≤ 1.25× raw",
      },
    ];
  } finally {
    await hosts.removeHost(actor, "bench-swarm").catch(() => undefined);
    stopSwarm();
  }
}
