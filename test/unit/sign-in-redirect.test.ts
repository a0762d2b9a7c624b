import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { afterSignInPath, consoleRedirect, pathWithinConsole } from "../../lib/auth/redirect";

process.env.NEXTAUTH_SECRET ??= "unit-test-secret-unit-test-secret";
const { createAuthOptions } = await import("../../lib/auth/options");
// next-auth's own request handling (not exported as a subpath): the real cookie and redirect logic, no Next.js.
type Cookie = { name: string; value: string; options: { secure?: boolean } };
const { AuthHandler } = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/index.js")) as {
  AuthHandler: (p: { req: Request; options: unknown }) => Promise<{ redirect?: string; cookies?: Cookie[] }>;
};

const CONSOLE = "http://127.0.0.1:3210";
// Every "elsewhere" is a loopback literal, so even a broken check would not send a browser off the machine.
const TRICKS = [
  "//127.0.0.66:1/",
  "/\\127.0.0.66:1/", // also what ?callbackUrl=/%5C127.0.0.66:1/ decodes to
  "\\\\127.0.0.66:1/",
  "/\t/127.0.0.66:1/",
  "https://127.0.0.66:1/",
  "http://127.0.0.1:3210@127.0.0.66:1/",
  "http://127.0.0.1:3211/",
  "https://127.0.0.1:3210/",
  "javascript:alert(document.cookie)",
  "data:text/html,<script>alert(1)</script>",
  "",
];

test("callbackUrl tricks resolve elsewhere and are replaced by the default; console paths survive", () => {
  for (const raw of TRICKS) {
    assert.equal(pathWithinConsole(raw, CONSOLE), null, JSON.stringify(raw));
    assert.equal(afterSignInPath(raw, CONSOLE), "/environments", JSON.stringify(raw));
    assert.equal(consoleRedirect({ url: raw, baseUrl: CONSOLE }), `${CONSOLE}/environments`, JSON.stringify(raw));
  }
  assert.equal(afterSignInPath(["/a", "/b"], CONSOLE), "/environments", "a repeated query parameter");
  assert.equal(afterSignInPath("/environments/shop/sql?x=1#top", CONSOLE), "/environments/shop/sql?x=1#top");
  assert.equal(afterSignInPath(`${CONSOLE}/alerts`, CONSOLE), "/alerts");
  assert.equal(
    afterSignInPath("/.//127.0.0.66:1/", CONSOLE),
    "/environments",
    "never a path that reads as another host",
  );
  assert.equal(afterSignInPath("/a/..//127.0.0.66:1/", CONSOLE), "/environments");
  assert.equal(afterSignInPath("/%2F%2F127.0.0.66:1", CONSOLE), "/%2F%2F127.0.0.66:1", "encoded slashes stay a path");
  assert.equal(consoleRedirect({ url: "/alerts", baseUrl: CONSOLE }), `${CONSOLE}/alerts`);
});

async function signInRedirect(consoleUrl: string, callbackUrl: string) {
  process.env.NEXTAUTH_URL = consoleUrl;
  const res = await AuthHandler({
    req: new Request(`${consoleUrl}/api/auth/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`),
    options: createAuthOptions(consoleUrl),
  });
  // next-auth refuses some malformed values itself (an error page, no redirect): that is a refusal too.
  if (!res.redirect) return { callbackUrl: null, cookies: res.cookies ?? [] };
  const target = new URL(res.redirect, consoleUrl);
  assert.equal(target.origin + target.pathname, `${consoleUrl}/signin`);
  return { callbackUrl: target.searchParams.get("callbackUrl"), cookies: res.cookies ?? [] };
}

test("next-auth's own sign-in route keeps callbackUrl on the console's origin", async () => {
  const outcomes = [];
  for (const trick of TRICKS.filter(Boolean)) {
    const { callbackUrl, cookies } = await signInRedirect(CONSOLE, trick);
    outcomes.push({ trick, callbackUrl: callbackUrl ?? "(refused by next-auth)" });
    if (callbackUrl === null) continue;
    assert.equal(callbackUrl, `${CONSOLE}/environments`, JSON.stringify(trick));
    const remembered = cookies.find((c) => c.name.endsWith("next-auth.callback-url"));
    assert.equal(remembered?.value, `${CONSOLE}/environments`, "the remembered callback is the safe one");
  }
  console.table(outcomes);
  assert.equal((await signInRedirect(CONSOLE, "/environments/shop")).callbackUrl, `${CONSOLE}/environments/shop`);
});

test("cookies are Secure (with __Secure-/__Host- names) exactly when the console is served over https", async () => {
  const csrfCookie = async (consoleUrl: string) => {
    process.env.NEXTAUTH_URL = consoleUrl;
    const res = await AuthHandler({
      req: new Request(`${consoleUrl}/api/auth/csrf`),
      options: createAuthOptions(consoleUrl),
    });
    return res.cookies!.find((c) => c.name.endsWith("next-auth.csrf-token"))!;
  };
  const overHttps = await csrfCookie("https://127.0.0.1:3443");
  assert.equal(overHttps.name, "__Host-next-auth.csrf-token");
  assert.equal(overHttps.options.secure, true);
  const overHttp = await csrfCookie(CONSOLE);
  assert.equal(overHttp.name, "next-auth.csrf-token");
  assert.ok(!overHttp.options.secure, "plain http cannot carry a Secure cookie");
  assert.equal(createAuthOptions("https://console.example").useSecureCookies, true);
  assert.equal(createAuthOptions("http://127.0.0.1:3000").useSecureCookies, false);
  const { cookies } = await signInRedirect("https://127.0.0.1:3443", "/alerts");
  assert.ok(
    cookies.every((c) => c.options.secure && c.name.startsWith("__")),
    JSON.stringify(cookies.map((c) => c.name)),
  );
});
