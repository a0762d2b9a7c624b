import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseNode, demuxLogs, type SwarmNode } from "../../lib/runtime/swarm-cluster";
import { kindOf, targetOf } from "../../lib/runtime/swarm-objects";

const node = (address: string, extra: Partial<SwarmNode> = {}): SwarmNode => ({
  id: `id-${address}`,
  hostname: "vm",
  role: "worker",
  availability: "active",
  state: "ready",
  address,
  labels: {},
  engineVersion: "20.10",
  leader: false,
  ...extra,
});

test("a slave goes to another node than its master, then to the least loaded", () => {
  const nodes = [node("10.0.0.1"), node("10.0.0.2"), node("10.0.0.3")];
  const load = new Map([
    ["10.0.0.1", 1],
    ["10.0.0.2", 1],
  ]);
  assert.equal(chooseNode(nodes, { avoid: ["10.0.0.1"], load }).address, "10.0.0.3");
  assert.equal(chooseNode(nodes, { avoid: ["10.0.0.3"], load: new Map([["10.0.0.1", 2]]) }).address, "10.0.0.2");
  // Only the master's node is left: sharing it beats not placing at all.
  assert.equal(chooseNode([node("10.0.0.1")], { avoid: ["10.0.0.1"], load }).address, "10.0.0.1");
});

test("drained and down nodes are never chosen; a required label narrows the choice and says why when none fits", () => {
  const nodes = [
    node("10.0.0.1", { availability: "drain" }),
    node("10.0.0.2", { state: "down" }),
    node("10.0.0.3", { labels: { disk: "hdd" } }),
    node("10.0.0.4", { labels: { disk: "ssd" } }),
  ];
  assert.equal(chooseNode(nodes, { load: new Map() }).address, "10.0.0.3");
  assert.equal(chooseNode(nodes, { label: "disk=ssd", load: new Map() }).address, "10.0.0.4");
  assert.throws(
    () => chooseNode(nodes.slice(0, 3), { label: "disk=ssd", load: new Map() }),
    /No Swarm node with the label disk=ssd is ready and active \(3 nodes: 1 not ready, 1 drained or paused, 1 without the label\)$/,
  );
});

test("files: keys and the accounts' SQL are secrets, certificates and my.cnf configs; TLS files share one directory", () => {
  assert.equal(kindOf("tls/server-key.pem"), "secret");
  assert.equal(kindOf("provision.sql"), "secret");
  assert.equal(kindOf("tls/server.pem"), "config");
  assert.equal(kindOf("my.cnf"), "config");
  assert.equal(targetOf("tls/server-key.pem"), "/etc/mariner/tls/server-key.pem");
  assert.equal(targetOf("tls/ca.pem"), "/etc/mariner/tls/ca.pem");
  assert.equal(targetOf("provision.sql"), "/run/secrets/provision.sql");
});

test("service logs: multiplexed frames are joined, plain text passes through", () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };
  assert.equal(demuxLogs(Buffer.concat([frame(1, "a\n"), frame(2, "[ERROR] b\n")])), "a\n[ERROR] b\n");
  assert.equal(demuxLogs(Buffer.from("plain\n")), "plain\n");
});
