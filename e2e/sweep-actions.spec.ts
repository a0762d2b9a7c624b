import { expect, test } from "@playwright/test";
import { ACTIONS, callAction, pageOfWorker, type ActionResponse } from "./sweep/actions";
import { builtActions, printTable, serverActions, type BuiltAction } from "./sweep/enumerate";
import { type Fixture, type SnapshotOfA, snapshotOfA, sweepTenants } from "./sweep/tenants";

// Every server action of the build (.next/server/server-reference-manifest.json), called by id the way a client
// can, with no session, a forged one, and B's real session aimed at A's real objects: each must refuse, and
// nothing of A's may change. The protocol (what Next 16 answers) is described in e2e/sweep/actions.ts.

const FORGED = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..c3dlZXA.Zm9yZ2VkLXNlc3Npb24.c3dlZXA";
const keyOf = (a: { file: string; name: string }) => `${a.file}#${a.name}`;
const brief = (r: ActionResponse) =>
  `${r.status} ${r.actionRedirect ?? ""} ${r.location ?? ""} ${r.body.slice(0, 300)}`;

test.describe.serial("sweep: every server action", () => {
  let fx: Fixture;
  let before: SnapshotOfA;
  let actions: BuiltAction[];
  sweepTenants((f, b) => ((fx = f), (before = b)));
  test.beforeAll(() => {
    actions = builtActions(); // read from the build, not at collection time
  });

  test('the build holds exactly the exported functions of the source\'s "use server" files, and the table names each', () => {
    const source = serverActions();
    expect(
      source.inline,
      'inline "use server" functions: move them into an actions file so the sweep lists them',
    ).toEqual([]);
    expect(actions.map(keyOf), "server-reference-manifest.json vs the source").toEqual(
      source.exports.map(keyOf).sort(),
    );
    expect(Object.keys(ACTIONS).sort(), "e2e/sweep/actions.ts ACTIONS vs the build").toEqual(actions.map(keyOf));
    const byFile = new Map<string, number>();
    for (const a of actions) byFile.set(a.file, (byFile.get(a.file) ?? 0) + 1);
    printTable(
      `Server actions (${actions.length})`,
      [...byFile].map(([file, n]) => ({ file, actions: n })),
    );
  });

  test("no session: the proxy answers every action call with a redirect to sign-in; nothing runs", async ({
    baseURL,
    request,
  }) => {
    for (const a of actions) {
      const page = pageOfWorker(a.workers[0], fx.b.env);
      const res = await callAction(baseURL!, page, a.id, ACTIONS[keyOf(a)].args(fx));
      expect(res.status, `${keyOf(a)} → ${brief(res)}`).toBe(307);
      const to = new URL(res.location!, baseURL);
      expect(to.pathname + to.search).toBe(`/signin?callbackUrl=${encodeURIComponent(page)}`);
    }
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });

  test("no session, posted to /signin (outside the proxy): Next forwards it to the action's page, the proxy refuses it there", async ({
    baseURL,
    request,
  }) => {
    for (const a of actions) {
      // /signin's worker lacks the action, so Next re-POSTs it to a page that has it (x-action-forwarded); that
      // request meets the proxy's redirect, which is not a Flight answer, and Next replies with an empty JSON object.
      const res = await callAction(baseURL!, "/signin", a.id, ACTIONS[keyOf(a)].args(fx));
      const label = `${keyOf(a)} → ${brief(res)}`;
      expect(res.status, label).toBe(200);
      expect(res.contentType, label).toMatch(/^application\/json/);
      expect(res.body, label).toBe("{}");
      expect(res.actionRedirect, label).toBeNull();
    }
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });

  test("forged session cookie: each action's own check redirects to /signin (200 + x-action-redirect); nothing runs", async ({
    baseURL,
    request,
  }) => {
    for (const a of actions) {
      const res = await callAction(
        baseURL!,
        pageOfWorker(a.workers[0], fx.b.env),
        a.id,
        ACTIONS[keyOf(a)].args(fx),
        FORGED,
      );
      const label = `${keyOf(a)} → ${brief(res)}`;
      expect(res.status, label).toBe(200);
      expect(res.actionRedirect, label).toBe("/signin;push");
      expect(res.contentType, label).toMatch(/^text\/x-component/);
    }
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });

  test("B's real session aimed at A's objects: every action refuses with exactly its answer; A's data is unchanged", async ({
    baseURL,
    request,
  }) => {
    const rows: { action: string; "B gets": string }[] = [];
    for (const a of actions) {
      const entry = ACTIONS[keyOf(a)];
      const res = await callAction(baseURL!, pageOfWorker(a.workers[0], fx.b.env), a.id, entry.args(fx), fx.b.cookie);
      const label = `${keyOf(a)} → ${brief(res)}`;
      expect(res.status, label).toBe(200);
      expect(res.actionRedirect, label).toBeNull();
      // Every field of the refusal exactly (ok: false and the words); fields an action adds (code, lines, details) may follow.
      const refusal = entry.refusal(fx);
      if (refusal && Object.getPrototypeOf(refusal) === Object.prototype)
        expect(res.value, label).toMatchObject(refusal as Record<string, unknown>);
      else expect(res.value, label).toEqual(refusal);
      rows.push({
        action: `${a.name}${entry.own ? " (B's own account)" : ""}`,
        "B gets": JSON.stringify(res.value).slice(0, 90),
      });
    }
    printTable("Server actions as B on A's objects", rows);
    expect(await snapshotOfA(request, fx)).toEqual(before);
  });

  test("an action id the build does not have is refused before anything runs", async ({ baseURL }) => {
    const unknown = await callAction(
      baseURL!,
      `/environments/${fx.b.env}`,
      "7f".padEnd(42, "0"),
      [fx.a.env],
      fx.b.cookie,
    );
    expect([unknown.status, unknown.notFoundMarker, unknown.body], brief(unknown)).toEqual([
      409,
      "1",
      "Server Action unavailable.",
    ]);
    const malformed = await callAction(baseURL!, `/environments/${fx.b.env}`, "not-an-action", [fx.a.env], fx.b.cookie);
    const answer = [malformed.status, malformed.notFoundMarker, malformed.body];
    expect(answer, brief(malformed)).toEqual([400, "1", "Invalid Server Action request."]);
  });
});
