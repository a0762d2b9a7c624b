import assert from "node:assert/strict";
import { test } from "node:test";
import { dockerHostOf, parseRuntime, placementLabel, storedRuntime, swarmOf } from "../../lib/runtime/runtime";

test("a runtime is parsed once from its stored form and written back the same", () => {
  assert.deepEqual(parseRuntime("local"), { kind: "local" });
  assert.deepEqual(parseRuntime("docker:hardnode-2"), { kind: "docker", host: "hardnode-2" });
  assert.deepEqual(parseRuntime("swarm:prod"), { kind: "swarm", cluster: "prod" });
  assert.equal(swarmOf("swarm:prod"), "prod");
  assert.equal(dockerHostOf("swarm:prod"), null, "a Swarm is not a Docker host");
  for (const stored of ["local", "docker:a", "docker:with:colon", "swarm:prod"])
    assert.equal(storedRuntime(parseRuntime(stored)), stored);
  assert.equal(dockerHostOf("local"), null);
  assert.equal(dockerHostOf("docker:b"), "b");
  assert.equal(placementLabel("docker:b", "HAProxy"), "HAProxy container on b");
  assert.equal(placementLabel("local", "HAProxy"), "HAProxy process");
});

test("an unknown or empty runtime is an error, not a local server by accident", () => {
  for (const bad of ["", "docker:", "swarm:", "Docker:a", "kubernetes", "local "])
    assert.throws(() => parseRuntime(bad), /Unknown runtime/, bad);
});
