import type { Environment, Node } from "@/generated/prisma/client";
import { decryptSecret } from "@/lib/secrets";
import type { NodeRef, NodeSpec } from "@/lib/runtime/driver";

/** The one place that turns stored rows into what a runtime driver acts on. */
export function nodeSpecOf(
  env: Pick<Environment, "memoryMb">,
  node: Pick<Node, "id" | "host" | "port" | "serverId">,
): NodeSpec {
  return { nodeId: node.id, host: node.host, port: node.port, serverId: node.serverId, memoryMb: env.memoryMb };
}

export function nodeRefOf(node: Node): NodeRef {
  return {
    nodeId: node.id,
    host: node.host,
    port: node.port,
    baseDir: node.baseDir,
    containerId: node.containerId,
    pid: node.pid,
    rootPassword: decryptSecret(node.rootPasswordEnc),
  };
}
