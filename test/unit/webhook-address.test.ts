// Classification only: nothing here opens a connection or asks DNS (names go to an injected resolver).
import assert from "node:assert/strict";
import { test } from "node:test";
import { addressBytes, classifyAddress, embeddedIpv4, formatBytes, parseCidr } from "../../lib/net/address";
import { addressRefusal, checkWebhookTarget, webhookAllowList, type Resolver } from "../../lib/net/webhook";

const ADDRESSES: [string, string][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["10.0.0.1", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.1", "public"],
  ["192.168.1.1", "private"],
  ["169.254.169.254", "link-local"],
  ["100.64.0.1", "shared (CGNAT)"],
  ["100.127.255.255", "shared (CGNAT)"],
  ["100.128.0.1", "public"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "reserved"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["255.255.255.255", "reserved"],
  ["198.18.0.1", "reserved"],
  ["93.184.216.34", "public"],
  ["8.8.8.8", "public"],
  ["::1", "loopback"],
  ["::", "unspecified"],
  ["[::1]", "loopback"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::ffff:93.184.216.34", "public"],
  ["::ffff:0:a00:1", "private"], // IPv4-translated
  ["::a00:1", "private"], // IPv4-compatible
  ["64:ff9b::a9fe:a9fe", "link-local"], // NAT64 of 169.254.169.254
  ["2002:7f00:1::", "loopback"], // 6to4 of 127.0.0.1
  ["fc00::1", "private"],
  ["fd12:3456::1", "private"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "reserved"],
  ["2606:2800:220:1:248:1893:25c8:1946", "public"],
];

test("addresses are classified by range, IPv4-mapped and other embedded forms as the IPv4 address they reach", () => {
  const table = ADDRESSES.map(([a, want]) => ({ address: a, want, got: classifyAddress(a) }));
  console.table(table);
  for (const row of table) assert.equal(row.got, row.want, row.address);
});

test("only IP literals are addresses; CIDRs parse strictly", () => {
  for (const bad of ["localhost", "10.0.0", "10.0.0.256", "1::2::3", "", "0x7f.1"])
    assert.equal(addressBytes(bad), null, bad);
  assert.throws(() => classifyAddress("example.test"), /not an IP address/);
  assert.deepEqual(parseCidr("127.0.0.55/32"), { bytes: [127, 0, 0, 55], prefix: 32 });
  assert.deepEqual(parseCidr("10.1.2.3"), { bytes: [10, 1, 2, 3], prefix: 32 });
  assert.deepEqual(parseCidr("::ffff:127.0.0.55/128"), { bytes: [127, 0, 0, 55], prefix: 32 });
  for (const bad of ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8/8", "::/129", "x/8", "10.0.0.0/ 8"])
    assert.equal(parseCidr(bad), null, bad);
  assert.equal(formatBytes(addressBytes("2001:db8:0:0:1:0:0:1")!), "2001:db8::1:0:0:1");
  assert.equal(formatBytes(addressBytes("::ffff:10.0.0.1")!), "::ffff:a00:1");
  assert.deepEqual(embeddedIpv4(addressBytes("::1")!), null);
});

test("MARINER_WEBHOOK_ALLOW opens exactly the listed ranges, for plain and IPv4-mapped spellings", () => {
  const allow = webhookAllowList("127.0.0.55/32, 10.9.0.0/16, not-a-cidr");
  assert.equal(allow.length, 2, "the malformed entry is ignored (and logged)");
  assert.equal(addressRefusal("127.0.0.55", allow), null);
  assert.equal(addressRefusal("::ffff:127.0.0.55", allow), null);
  assert.equal(addressRefusal("10.9.200.1", allow), null);
  assert.equal(addressRefusal("127.0.0.1", allow), "a loopback address");
  assert.equal(addressRefusal("10.10.0.1", allow), "a private address");
  assert.equal(addressRefusal("::ffff:10.0.0.1", []), "a private address (it reaches 10.0.0.1)");
  assert.equal(addressRefusal("93.184.216.34", []), null);
});

async function refusal(url: string, resolve?: Resolver): Promise<string> {
  try {
    await checkWebhookTarget(url, resolve ?? (() => assert.fail(`${url} must not need DNS`)));
    return "accepted";
  } catch (e) {
    return (e as Error).message;
  }
}

test("webhook URLs: literals are judged without DNS, odd spellings as the address they parse to, only http(s)", async () => {
  const prev = process.env.MARINER_WEBHOOK_ALLOW;
  process.env.MARINER_WEBHOOK_ALLOW = "";
  try {
    const cases: [string, RegExp][] = [
      ["http://127.0.0.1:9000/hook", /127\.0\.0\.1 is a loopback address.*MARINER_WEBHOOK_ALLOW/],
      ["http://10.0.0.1/", /private/],
      ["http://169.254.169.254/latest/meta-data/", /link-local/],
      ["http://[::1]:8080/", /loopback/],
      ["http://[::ffff:10.0.0.1]/", /private address \(it reaches 10\.0\.0\.1\)/],
      ["http://[::ffff:a9fe:a9fe]/", /link-local/],
      ["http://0.0.0.0:80/", /unspecified/],
      ["http://0x7f.1/", /loopback/], // WHATWG parsing turns this into 127.0.0.1
      ["http://2130706433/", /loopback/],
      ["http://017700000001/", /loopback/],
      ["http://100.64.1.1/", /CGNAT/],
      ["http://224.0.0.1/", /multicast/],
      ["http://[fe80::1]/", /link-local/],
      ["ftp://93.184.216.34/", /must be http\(s\), not ftp/],
      ["file:///etc/passwd", /must be http\(s\)/],
      ["javascript:alert(1)", /must be http\(s\)/],
      ["gopher://127.0.0.1:25/", /must be http\(s\)/],
      ["not a url", /must be a URL/],
    ];
    for (const [url, want] of cases) assert.match(await refusal(url), want, url);
    assert.equal(await refusal("https://93.184.216.34/hook"), "accepted");
  } finally {
    if (prev === undefined) delete process.env.MARINER_WEBHOOK_ALLOW;
    else process.env.MARINER_WEBHOOK_ALLOW = prev;
  }
});

test("webhook names: every resolved address must pass, and the checked address is the one kept", async () => {
  const fixed =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  assert.match(
    await refusal("http://hooks.test/", fixed("93.184.216.34", "10.0.0.1")),
    /hooks\.test resolves to 10\.0\.0\.1, which is a private address/,
  );
  assert.match(await refusal("http://hooks.test/", fixed("::ffff:169.254.169.254")), /link-local/);
  assert.match(await refusal("http://hooks.test/", fixed()), /does not resolve/);
  const failing: Resolver = async () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));
  assert.match(await refusal("http://hooks.test/", failing), /does not resolve \(ENOTFOUND\)/);
  const target = await checkWebhookTarget(
    "https://hooks.test:8443/x",
    fixed("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
  );
  assert.deepEqual([target.address, target.family, target.url.host], ["93.184.216.34", 4, "hooks.test:8443"]);
});
