// What an engine says about itself (health) and what of this console's is left on it without a row behind it.
import type Docker from "dockerode";

/** Engine health for the Hosts page: reachable, version, memory, whether `image` is there. */
export async function engineHealth(docker: Docker, image: string) {
  try {
    const [version, info] = await Promise.all([docker.version(), docker.info()]);
    const present = await docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    return {
      ok: true,
      version: version.Version,
      memoryMb: Math.round(info.MemTotal / 1048576),
      containers: info.Containers,
      image: present,
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * Containers and volumes of retired nodes (rows gone while the engine did not answer: see retired.ts), endpoint
 * containers no endpoint of this console runs here any more (moved off this host while it was down: they must not
 * come back on their old port), throwaway checks that exited. A node container no retired id names is left alone:
 * it is another console's, or was made after the backup this console's store was restored from.
 */
export async function removeOrphans(
  docker: Docker,
  retiredNodeIds: Set<string>,
  knownProxyIds: Set<string>,
): Promise<string[]> {
  const mine = { label: ["mariner.console=1"] };
  const containers = await docker.listContainers({ all: true, filters: mine });
  const orphans = containers.filter((c) => {
    const l = c.Labels;
    if (l["mariner.node"]) return retiredNodeIds.has(l["mariner.node"]);
    if (l["mariner.proxy"]) return !knownProxyIds.has(l["mariner.proxy"]);
    return l["mariner.throwaway"] === "1" && c.State === "exited";
  });
  for (const c of orphans) await docker.getContainer(c.Id).remove({ force: true });
  const { Volumes } = await docker.listVolumes({ filters: mine });
  for (const v of (Volumes ?? []).filter((v) => retiredNodeIds.has(v.Labels?.["mariner.node"])))
    await docker.getVolume(v.Name).remove();
  return orphans.map((c) => c.Labels["mariner.node"] ?? c.Labels["mariner.proxy"] ?? c.Id.slice(0, 12));
}
