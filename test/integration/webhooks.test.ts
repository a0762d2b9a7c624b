// Alert webhooks cannot reach the console's own network. Every connection this file can cause goes to a
// loopback receiver; internal addresses are only ever stored or checked, with a `for` period that cannot elapse.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, test } from "node:test";
import { useTempDataDir } from "../support/env";
import { adminActor, until } from "../support/harness";
import type { Actor } from "../../lib/auth/actor";
import type { Topology } from "../../lib/topology/discover";

const RECEIVER_HOST = "127.0.0.55";
process.env.MARINER_WEBHOOK_ALLOW = `${RECEIVER_HOST}/32`;
useTempDataDir("webhooks");
const alerts = await import("../../lib/monitoring/alerts");
const webhook = await import("../../lib/net/webhook");
const { db } = await import("../../lib/db/client");
const { issueToken } = await import("../../lib/auth/users");
const { ServiceError } = await import("../../lib/errors");
const alertRulesRoute = await import("../../app/api/v1/environments/[name]/alert-rules/route");

let actor: Actor;
const receivers: http.Server[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback HTTP receiver that records what reaches it and answers as told. */
async function receiver(host: string, answer: (res: http.ServerResponse) => void = (res) => res.end("ok")) {
  const seen: { path: string; host: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", host: req.headers.host ?? "", body });
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  receivers.push(server);
  return { seen, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

/** An environment row to hang rules on (no server needed: the rules' condition comes from the topology given). */
async function environment(name: string) {
  return db().environment.create({ data: { name, ownerId: actor.id, engineVersion: "10.11", status: "running" } });
}

/** One alert evaluation in which `name` is down: fires its node-down rules once their `for` period has passed. */
function evaluateWithDown(name: string) {
  const node = {
    ownerId: actor.id,
    name,
    host: "127.0.0.1",
    port: 3306,
    status: "down",
    autoFailover: false,
    facts: null,
  };
  const topology: Topology = {
    nodes: [{ ...node, master: null, masters: [], problems: [] }],
    edges: [],
    observedAt: Date.now(),
  };
  return alerts.evaluateAlerts(actor.id, topology);
}

async function lastDelivery(ruleId: string) {
  return (await alerts.listAlerts(actor)).rules.find((r) => r.id === ruleId)?.lastWebhookDelivery ?? null;
}

before(async () => {
  actor = await adminActor();
  await environment("hooks");
});

// Each test's rules stay its own: a later evaluation would otherwise clear (and notify) earlier tests' alerts.
afterEach(async () => {
  await db().alert.deleteMany({});
  await db().alertRule.deleteMany({});
});

after(() => {
  for (const s of receivers) s.close();
});

test("rules whose webhook targets internal addresses or other schemes are refused on save, and nothing is stored", async () => {
  const probes: [string, RegExp][] = [
    ["http://127.0.0.1:9000/hook", /127\.0\.0\.1 is a loopback address/],
    ["http://10.0.0.1/hook", /10\.0\.0\.1 is a private address/],
    ["http://169.254.169.254/latest/meta-data/", /link-local/],
    ["http://[::1]/", /loopback/],
    ["http://[::ffff:10.0.0.1]/", /it reaches 10\.0\.0\.1/],
    ["http://0.0.0.0:8080/", /unspecified/],
    ["http://100.100.100.200/", /CGNAT/],
    ["http://127.0.0.56/", /loopback/], // next to the allowed receiver, not it
    ["ftp://93.184.216.34/", /http\(s\)/],
  ];
  const table = [];
  for (const [url, reason] of probes) {
    const err = await alerts.addRule(actor, "hooks", { kind: "node-down", webhookUrl: url }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServiceError, `${url} was accepted`);
    assert.ok(err.status === 422 || err.status === 400, `${url} → ${err.status}`);
    assert.match(err.message, reason, url);
    table.push({ url, status: err.status, message: err.message.slice(0, 90) });
  }
  console.table(table);
  assert.equal(await db().alertRule.count(), 0, "no rule stored");

  // The same through the API: a clear 4xx with a code and the reason.
  const token = await issueToken(actor, "webhook-test");
  const res = await alertRulesRoute.POST(
    new Request("http://127.0.0.1/api/v1/environments/hooks/alert-rules", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "node-down", webhookUrl: "http://169.254.169.254/latest/meta-data/" }),
    }),
    { params: Promise.resolve({ name: "hooks" }) },
  );
  assert.equal(res.status, 422);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "webhook_refused");
  assert.match(body.error.message, /MARINER_WEBHOOK_ALLOW/, "says what to do instead");
  assert.equal(await db().alertRule.count(), 0);
});

test("an allowed receiver answering 302 gets one request; the redirect is not followed and the delivery is a failure", async () => {
  const target = await receiver(RECEIVER_HOST);
  const toInternal = await receiver(RECEIVER_HOST, (res) => res.writeHead(302, { location: "http://10.0.0.1/" }).end());
  const toAllowed = await receiver(RECEIVER_HOST, (res) =>
    res.writeHead(307, { location: `${target.url}/followed` }).end(),
  );
  await environment("redirects");
  const rules = [
    await alerts.addRule(actor, "redirects", { kind: "node-down", webhookUrl: `${toInternal.url}/hook` }),
    await alerts.addRule(actor, "redirects", { kind: "node-down", webhookUrl: `${toAllowed.url}/hook` }),
  ];
  await evaluateWithDown("redirects");
  await until(
    async () => toInternal.seen.length + toAllowed.seen.length,
    (n) => n >= 2,
    5000,
  );
  await until(
    () => lastDelivery(rules[1].id),
    (d) => d !== null,
    5000,
  );
  await sleep(500); // room for a follow-up request, were one made
  assert.equal(toInternal.seen.length, 1);
  assert.equal(JSON.parse(toInternal.seen[0].body).event, "alert.fired");
  assert.equal(toAllowed.seen.length, 1);
  assert.equal(target.seen.length, 0, "even a redirect to an allowed receiver is not followed");
  for (const rule of rules) {
    const d = await lastDelivery(rule.id);
    assert.equal(d?.ok, false);
    assert.match(d!.detail, /answered 30[27] \(redirect to .*\); redirects are not followed/);
  }
  assert.equal(
    (await lastDelivery(rules[0].id))!.detail.includes("10.0.0.1"),
    true,
    "the refused location is recorded",
  );
});

test("a webhook refused now is not sent, though it was accepted (or stored) earlier", async () => {
  const laterRefused = await receiver(RECEIVER_HOST);
  const onPlainLoopback = await receiver("127.0.0.1");
  await environment("recheck");
  const saved = await alerts.addRule(actor, "recheck", { kind: "node-down", webhookUrl: `${laterRefused.url}/hook` });
  // As an earlier version (or a hand edit of the store) would have kept it: never validated.
  const rule = (forSec: number, webhookUrl: string) => ({
    environmentId: saved.environmentId,
    kind: "node-down",
    forSec,
    webhookUrl,
  });
  const stored = await db().alertRule.create({ data: rule(0, `${onPlainLoopback.url}/hook`) });
  // Internal targets: stored too, with a `for` period that cannot elapse, so they never fire here.
  const internal = [];
  for (const url of ["http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/"]) {
    internal.push(await db().alertRule.create({ data: rule(86_400, url) }));
  }
  process.env.MARINER_WEBHOOK_ALLOW = "127.0.0.57/32"; // the admin narrowed the allowed range
  try {
    await evaluateWithDown("recheck");
    const outcomes = async () => [await lastDelivery(saved.id), await lastDelivery(stored.id)];
    await until(outcomes, (ds) => ds.every(Boolean), 5000);
    await sleep(300);
    assert.equal(laterRefused.seen.length, 0);
    assert.equal(onPlainLoopback.seen.length, 0);
    for (const id of [saved.id, stored.id]) {
      const d = await lastDelivery(id);
      assert.equal(d?.ok, false);
      assert.match(d!.detail, /is a loopback address/);
    }
    for (const rule of internal) {
      assert.equal(await lastDelivery(rule.id), null, "its `for` period has not passed: nothing sent");
      // The check every send goes through first refuses them without opening a connection.
      await assert.rejects(webhook.checkWebhookTarget(rule.webhookUrl!), /private|link-local/);
    }
    assert.equal(await db().alert.count({ where: { ruleId: { in: internal.map((r) => r.id) } } }), 0);
  } finally {
    process.env.MARINER_WEBHOOK_ALLOW = `${RECEIVER_HOST}/32`;
  }
});

test("a name is resolved once and the connection goes to the address that was checked", async () => {
  const hook = await receiver(RECEIVER_HOST);
  const port = new URL(hook.url).port;
  let lookups = 0;
  // Were the pinned address ignored, "localhost" would resolve from /etc/hosts to 127.0.0.1 (no DNS query).
  const resolve: import("../../lib/net/webhook").Resolver = async () => {
    lookups++;
    return [{ address: RECEIVER_HOST, family: 4 }];
  };
  const result = await webhook.deliverWebhook(`http://localhost:${port}/pinned`, { event: "test" }, { resolve });
  assert.deepEqual(result, { ok: true, status: 200, detail: "answered 200" });
  assert.equal(lookups, 1);
  assert.deepEqual(
    hook.seen.map((s) => [s.path, s.host]),
    [["/pinned", `localhost:${port}`]],
  );
});

test("a receiver that never answers is given up on after the timeout", { timeout: 30_000 }, async () => {
  assert.equal(webhook.DELIVERY_TIMEOUT_MS, 3000);
  const silent = await receiver(RECEIVER_HOST, () => {});
  const t0 = Date.now();
  const result = await webhook.deliverWebhook(`${silent.url}/slow`, { event: "test" }, { timeoutMs: 400 });
  const took = Date.now() - t0;
  console.log(`gave up after ${took} ms (timeout 400 ms)`);
  assert.equal(result.ok, false);
  // The verdict names the 0.4 s given (not the 3 s default): the delivery gave up on its own timeout. How close
  // to 400 ms that happened is timing on a noisy machine — printed above, not asserted.
  assert.match(result.detail, /no answer within 0.4 s/);
  assert.equal(silent.seen.length, 1);
});
