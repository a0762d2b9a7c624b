import { expect, test } from "@playwright/test";
import { ADMIN } from "../playwright.config";
import { requestFrom, signIn, tokenFrom } from "./helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every "elsewhere" is a loopback literal nobody serves: a broken check could not send the browser off the machine.
const TRICKS: [string, string][] = [
  ["backslash, percent-encoded", "/%5C127.0.0.66:1/"],
  ["protocol-relative", encodeURIComponent("//127.0.0.66:1/")],
  ["backslash", encodeURIComponent("/\\127.0.0.66:1/")],
  ["dot segment", encodeURIComponent("/.//127.0.0.66:1/")],
  ["absolute, other origin", encodeURIComponent("https://127.0.0.66:1/")],
  ["user-info", encodeURIComponent("http://127.0.0.1:3210@127.0.0.66:1/")],
  ["javascript:", encodeURIComponent("javascript:alert(document.domain)")],
];

/** A sign-in through next-auth's credentials endpoint (what the form does), from a chosen source address. */
async function nextAuthSignInFrom(source: string, baseURL: string, who: { email: string; password: string }) {
  const csrf = await requestFrom(source, baseURL, "/api/auth/csrf");
  const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const res = await requestFrom(source, baseURL, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ ...who, csrfToken: JSON.parse(csrf.body).csrfToken, json: "true" }).toString(),
  });
  const signedIn = (res.headers["set-cookie"] ?? []).some((c) => /next-auth\.session-token=[^;]+/.test(c));
  return { signedIn, error: new URL(JSON.parse(res.body).url, baseURL).searchParams.get("error") };
}

test("callbackUrl tricks: after signing in, the browser stays on the console", async ({
  browser,
  baseURL,
  request,
}) => {
  const origin = new URL(baseURL!).origin;
  const results: { trick: string; landedOn: string; foreignRequests: number }[] = [];
  for (const [name, query] of TRICKS) {
    const context = await browser.newContext();
    const foreign: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`/signin?callbackUrl=${query}`);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
    await expect(page, name).toHaveURL(`${origin}/environments`);
    results.push({ trick: name, landedOn: new URL(page.url()).pathname, foreignRequests: foreign.length });
    expect(foreign, name).toEqual([]);
    expect(dialogs, name).toEqual([]);
    await context.close();

    // next-auth's own sign-in route passes the callback through the same origin check.
    const res = await request.get(`/api/auth/signin?callbackUrl=${query}`, { maxRedirects: 0 });
    const location = res.headers()["location"];
    if (location) {
      const to = new URL(location, origin);
      expect(to.origin, name).toBe(origin);
      const callback = to.searchParams.get("callbackUrl");
      if (callback) expect(new URL(callback, origin).origin, name).toBe(origin);
    } else expect(res.status(), `${name}: refused outright`).toBeGreaterThanOrEqual(400);
  }
  console.table(results);
});

test("the admin still signs in from another address while wrong passwords are hammered from one", async ({
  page,
  baseURL,
}) => {
  const HAMMER = "127.0.0.9";
  const statuses: number[] = [];
  let stop = false;
  // Wrong passwords for the admin from one address, as fast as it answers, through the token API.
  const hammering = (async () => {
    for (let i = 0; !stop && i < 1000; i++) {
      statuses.push((await tokenFrom(HAMMER, baseURL!, { email: ADMIN.email, password: `wrong-${i}` })).status);
      await sleep(20);
    }
  })();
  try {
    await expect.poll(() => statuses.filter((s) => s === 429).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    // Meanwhile, from 127.0.0.1: the browser sign-in form, the token API and next-auth directly all let the admin in.
    await signIn(page);
    const token = await tokenFrom("127.0.0.1", baseURL!, ADMIN);
    expect(token.status, token.body).toBe(201);
    expect((await nextAuthSignInFrom("127.0.0.2", baseURL!, ADMIN)).signedIn).toBe(true);
  } finally {
    stop = true;
    await hammering;
  }

  const guessed = statuses.filter((s) => s === 401).length;
  console.log(
    `hammering address: ${statuses.length} tries, ${guessed} checked, ${statuses.length - guessed} refused (429)`,
  );
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(statuses[5]).toBe(429);
  expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  expect(guessed).toBeLessThanOrEqual(10);

  // The hammering address waits, even with the right password, by either door, and is told how long.
  const refused = await tokenFrom(HAMMER, baseURL!, ADMIN);
  expect(refused.status).toBe(429);
  expect(JSON.parse(refused.body).error.message).toMatch(/Too many failed sign-ins.*try again in \d+ s/);
  const viaForm = await nextAuthSignInFrom(HAMMER, baseURL!, ADMIN);
  expect(viaForm.signedIn).toBe(false);
  expect(viaForm.error).toMatch(/Too many failed sign-ins/);
  // A forged X-Forwarded-For does not make the hammering address someone else.
  const forged = await requestFrom(HAMMER, baseURL!, "/api/v1/auth/token", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": "198.51.100.77",
      "x-mariner-client-address": "198.51.100.78",
    },
    body: JSON.stringify(ADMIN),
  });
  expect(forged.status).toBe(429);
});
