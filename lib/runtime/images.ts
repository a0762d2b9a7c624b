import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "@/lib/errors";
import type { DockerDriver } from "./docker";
import { DEFAULT_IMAGE } from "./docker-engine";
import { dockerHostNames, driverFor } from "./index";
import { PROXY_IMAGE } from "./proxy-launchers";

// Images reach a new host from another registered host, engine to engine through the console (save → load over
// the Engine API): never from a registry, whatever the host can reach.

const engineOf = (host: string) => driverFor({ kind: "docker", host }) as DockerDriver;

async function has(driver: DockerDriver, image: string) {
  return driver.engine
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/** Copies the server and endpoint images `host` lacks from a host that has them; says what it copied from where. */
export async function copyImages(actor: Actor, host: string): Promise<{ copied: string[]; from: string | null }> {
  if (actor.role !== "admin") throw new ServiceError(403, "forbidden", "Only an admin can manage Docker hosts");
  if (!dockerHostNames().includes(host)) throw new ServiceError(404, "not_found", `Host "${host}" not found`);
  const to = engineOf(host);
  const images = [to.host.image ?? DEFAULT_IMAGE, PROXY_IMAGE];
  const missing = [];
  for (const image of images) if (!(await has(to, image))) missing.push(image);
  if (!missing.length) return { copied: [], from: null };
  for (const name of dockerHostNames().filter((n) => n !== host)) {
    const from = engineOf(name);
    if (!(await from.health()).ok) continue;
    const available = [];
    for (const image of missing) if (await has(from, image)) available.push(image);
    if (available.length < missing.length) continue;
    for (const image of missing) {
      const saved = await from.engine.getImage(image).get();
      const loading = await to.engine.loadImage(saved);
      await new Promise<void>((resolve, reject) =>
        to.engine.modem.followProgress(loading, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    }
    return { copied: missing, from: name };
  }
  throw new ServiceError(
    409,
    "no_source",
    `No other registered host has ${missing.join(" and ")}: build it on one (npm run image:build -- <endpoint>)`,
  );
}
