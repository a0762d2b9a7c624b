// How an endpoint's HAProxy runs on each runtime — asked of the runtime, never branched on in lib/proxy:
// a detached process for local topologies, a container (host network, config uploaded through the Engine API) on
// the master's engine for Docker ones, listening where that host's servers do. A new runtime adds its launcher here.
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { db } from "@/lib/db/client";
import { ServiceError } from "@/lib/errors";
import type Docker from "dockerode";
import type { DockerDriver } from "./docker";
import { isLoopback } from "./docker-node";
import { uploadEntries } from "./engine-files";
import { driverFor } from "./index";
import { freePort, placeOnAddress } from "./ports";
import { listedPidsRunning } from "./process";
import { parseRuntime } from "./runtime";

const run = promisify(execFile);
export const HAPROXY = process.env.MARINER_HAPROXY ?? "/usr/sbin/haproxy";
export const PROXY_IMAGE = process.env.MARINER_PROXY_IMAGE ?? "mariner/haproxy:local";

/** One endpoint's files (its config and pid file) and the writer address it listens on. */
export interface ProxyUnit {
  id: string;
  cfg: string;
  pidFile: string;
  listen: { host: string; port: number };
}

/** Where an endpoint listens: one address, a writer port and a reader port. */
export interface ProxyListen {
  host: string;
  writerPort: number;
  readerPort: number;
}

export interface ProxyLauncher {
  /** Picks where a new endpoint listens (`taken`: ports recorded for servers and endpoints). */
  placeListener(taken: { host: string; port: number }[]): Promise<ProxyListen>;
  /** HAProxy `global` lines this launcher needs. */
  globalLines: string[];
  /** Starts HAProxy with the config just written, or hands over to it; `cut` ends old sessions at once (fencing). */
  apply(unit: ProxyUnit, cut: boolean): Promise<void>;
  isRunning(unit: ProxyUnit): Promise<boolean>;
  stop(unit: ProxyUnit): Promise<void>;
  /** Console start: running again with its last configuration. */
  revive(unit: ProxyUnit): Promise<void>;
}

/** This machine's loopback: two free ports on 127.0.0.1. */
async function onLoopback(): Promise<ProxyListen> {
  return { host: "127.0.0.1", writerPort: await freePort("127.0.0.1"), readerPort: await freePort("127.0.0.1") };
}

const processLauncher: ProxyLauncher = {
  placeListener: onLoopback,
  globalLines: [],
  async apply(u, cut) {
    const old = listedPidsRunning(u.pidFile, u.cfg);
    const handOver = old.length ? [cut ? "-st" : "-sf", ...old.map(String)] : [];
    await run(HAPROXY, ["-D", "-f", u.cfg, "-p", u.pidFile, ...handOver]);
  },
  async isRunning(u) {
    return listedPidsRunning(u.pidFile, u.cfg).length > 0;
  },
  async stop(u) {
    for (const pid of listedPidsRunning(u.pidFile, u.cfg)) process.kill(pid, "SIGTERM");
  },
  async revive(u) {
    await run(HAPROXY, ["-D", "-f", u.cfg, "-p", u.pidFile]);
  },
};

const containerName = (id: string) => `mariner-proxy-${id}`;

/** The engine of a registered host, with its stored credentials (the same client its servers' driver uses). */
async function engineNamed(name: string) {
  if (!(await db().dockerHost.findUnique({ where: { name } })))
    throw new ServiceError(409, "no_host", `Docker host "${name}" is not registered`);
  const driver = driverFor({ kind: "docker", host: name }) as DockerDriver;
  return { docker: driver.engine, host: driver.host };
}

/** HAProxy reads its configuration here inside the container; the console uploads it before every (re)load. */
const CONFIG_DIR = "mariner-proxy";
async function uploadConfig(container: Docker.Container, u: ProxyUnit) {
  await uploadEntries(container, "/", [
    { name: `${CONFIG_DIR}/`, mode: 0o755, uid: 0, gid: 0 },
    { name: `${CONFIG_DIR}/haproxy.cfg`, content: fs.readFileSync(u.cfg), mode: 0o644, uid: 0, gid: 0 },
  ]);
}

/** Until the writer port accepts connections (a container binds a moment after it starts). */
async function waitListening({ host, port }: ProxyUnit["listen"], timeoutMs = 10_000) {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs)
      throw new ServiceError(
        500,
        "proxy_not_listening",
        `HAProxy did not listen on ${host}:${port} within ${timeoutMs / 1000} s`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

function containerLauncher(hostName: string): ProxyLauncher {
  /** Creates and starts the endpoint's container, or reloads it (SIGUSR2) with the config just written. */
  const apply = async (u: ProxyUnit) => {
    const { docker, host } = await engineNamed(hostName);
    const existing = docker.getContainer(containerName(u.id));
    const state = await existing.inspect().then(
      (i) => i.State,
      () => null,
    );
    if (state) await uploadConfig(existing, u);
    if (state?.Running) return void (await existing.kill({ signal: "SIGUSR2" }));
    if (state) return void (await existing.start());
    const image = await docker
      .getImage(PROXY_IMAGE)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!image) {
      throw new ServiceError(
        409,
        "no_image",
        `Image ${PROXY_IMAGE} is not on Docker host "${host.name}". Build it there (no registry is used): npm run image:build -- ${host.endpoint}`,
      );
    }
    const c = await docker.createContainer({
      Image: PROXY_IMAGE,
      name: containerName(u.id),
      Cmd: [HAPROXY, "-W", "-db", "-f", `/${CONFIG_DIR}/haproxy.cfg`],
      Labels: { "mariner.proxy": u.id, "mariner.console": "1" },
      HostConfig: { NetworkMode: "host", RestartPolicy: { Name: "unless-stopped" } },
    });
    await uploadConfig(c, u);
    await c.start();
    await waitListening(u.listen);
  };
  return {
    // On another machine: its advertised address, ports the console allocates there (like its servers').
    async placeListener(taken) {
      const { host } = await engineNamed(hostName);
      const address = host.advertisedAddress;
      if (!address || isLoopback(address)) return onLoopback();
      const writer = await placeOnAddress(address, taken);
      const reader = await placeOnAddress(address, [...taken, writer]);
      return { host: address, writerPort: writer.port, readerPort: reader.port };
    },
    // A container reloads in place (master-worker): old workers, and their sessions to the old master, end at once.
    globalLines: ["  hard-stop-after 50ms"],
    apply,
    async isRunning(u) {
      const { docker } = await engineNamed(hostName);
      return docker
        .getContainer(containerName(u.id))
        .inspect()
        .then(
          (i) => i.State.Running,
          () => false,
        );
    },
    async stop(u) {
      const { docker } = await engineNamed(hostName);
      await docker
        .getContainer(containerName(u.id))
        .remove({ force: true })
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e;
        });
    },
    revive: apply,
  };
}

/**
 * The launcher of a stored runtime (an endpoint runs where its master runs). A Swarm topology's endpoints are
 * HAProxy processes next to the console for now: they reach the servers at their nodes' addresses.
 */
export function proxyLauncherFor(stored: string): ProxyLauncher {
  const runtime = parseRuntime(stored);
  return runtime.kind === "docker" ? containerLauncher(runtime.host) : processLauncher;
}
