import net from "node:net";
import { RuntimeError, type Placement } from "./driver";

export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export const DEFAULT_PORT = 3306;

/**
 * Each node gets its own loopback address on 3306, like a separate host. If an address is taken (say a server
 * bound 0.0.0.0:3306 outside Mariner), fall back to a free port on 127.0.0.1. Used by every runtime whose servers
 * share this machine's network (local processes, host-network containers).
 */
export async function placeOnLoopback(taken: Placement[]): Promise<Placement> {
  const used = new Set(taken.map((t) => `${t.host}:${t.port}`));
  let bindFailures = 0;
  for (let n = 2; n < 65_000 && bindFailures < 4; n++) {
    if (n % 255 === 0) continue;
    const host = `127.0.${Math.floor(n / 255)}.${n % 255}`;
    if (used.has(`${host}:${DEFAULT_PORT}`)) continue;
    if (await canBind(host, DEFAULT_PORT)) return { host, port: DEFAULT_PORT };
    bindFailures++;
  }
  const host = "127.0.0.1";
  for (let i = 0; i < 20; i++) {
    const port = await freePort(host);
    if (!used.has(`${host}:${port}`)) return { host, port };
  }
  throw new RuntimeError("No free loopback address or port left for a new node");
}

/** Something already answers on address:port (another machine's port cannot be test-bound from here). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 500 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

/**
 * A host reached at its advertised address: one address, a port per node, allocated by the console from 3306 up
 * (skipping ports recorded for other nodes and ports something on that host already answers on).
 */
export async function placeOnAddress(address: string, taken: Placement[]): Promise<Placement> {
  const used = new Set(taken.filter((t) => t.host === address).map((t) => t.port));
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 1000; port++) {
    if (used.has(port)) continue;
    if (!(await answers(address, port))) return { host: address, port };
  }
  throw new RuntimeError(`No free port left on ${address} (3306–4305 are taken)`);
}
