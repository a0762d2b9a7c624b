#!/usr/bin/env node
// npm test's last word on what ran: every skipped test is listed with its reason, and the run fails if anything
// was skipped or if a suite that must run on this machine (the Docker runtimes, the browser) ran nothing.
// Usage: check-skips.mjs --tap unit.tap --tap integration.tap --playwright e2e-report.json
import fs from "node:fs";

const args = process.argv.slice(2);
const taps = [];
let playwright = null;
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === "--tap") taps.push(args[i + 1]);
  else if (args[i] === "--playwright") playwright = args[i + 1];
  else throw new Error(`unknown argument ${args[i]}`);
}

/** Suites that must have passing tests: a green run without them proves nothing about what they cover. */
const REQUIRED = [
  { what: "Docker driver conformance (integration)", source: "tap", pattern: /driver conformance: docker:/ },
  {
    what: "replication across two Docker engines (integration)",
    source: "tap",
    pattern: /replication across Docker hosts/,
  },
  { what: "Docker runtime in the browser (e2e/docker.spec.ts)", source: "playwright", file: /docker\.spec\.ts$/ },
  { what: "the article in the browser (e2e/article.spec.ts)", source: "playwright", file: /article\.spec\.ts$/ },
  {
    what: "the production path with docker-compose (test/production)",
    source: "tap",
    pattern: /through the API: an environment on the engine/,
  },
];

const skipped = [];
const passed = { tap: [], playwright: [] };

for (const file of taps) {
  // TAP from node:test: nested "# Subtest: name" lines give the path; "ok N - name # SKIP reason".
  const stack = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) {
      stack.length = sub[1].length / 4;
      stack.push(sub[2]);
      continue;
    }
    const result = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\s*(.*))?$/.exec(line);
    if (!result) continue;
    const depth = result[1].length / 4;
    const name = [...stack.slice(0, depth), result[3]].join(" › ");
    if (result[4] === "SKIP") skipped.push({ name: `${file}: ${name}`, reason: result[5] || "(no reason given)" });
    else if (result[2] === "ok") passed.tap.push(name);
  }
}

if (playwright) {
  const report = JSON.parse(fs.readFileSync(playwright, "utf8"));
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const where = `${spec.file ?? file}: ${spec.title}`;
        if (t.status === "skipped") {
          const reason = (t.annotations ?? []).find((a) => a.type === "skip")?.description ?? "(no reason given)";
          skipped.push({ name: where, reason });
        } else if (t.status === "expected") passed.playwright.push(where);
      }
    }
    for (const s of suite.suites ?? []) walk(s, s.file ?? file);
  };
  for (const s of report.suites ?? []) walk(s, s.file);
}

const missing = REQUIRED.filter((r) =>
  r.source === "tap"
    ? taps.length && !passed.tap.some((n) => r.pattern.test(n))
    : playwright && !passed.playwright.some((n) => r.file.test(n.split(":")[0])),
);

console.log(
  `== what ran: ${passed.tap.length} node:test tests and ${passed.playwright.length} browser tests passed, ${skipped.length} skipped`,
);
for (const s of skipped) console.log(`  SKIPPED ${s.name} — ${s.reason}`);
for (const m of missing) console.log(`  MISSING ${m.what}: no passing test`);
if (skipped.length || missing.length) {
  console.log(
    "npm test runs everything on this machine: a skipped or missing suite is a failure (see the reasons above).",
  );
  process.exit(1);
}
