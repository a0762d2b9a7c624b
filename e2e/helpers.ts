import http from "node:http";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN } from "../playwright.config";

export async function signIn(page: Page) {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
}

export async function createEnvironmentInBrowser(page: Page, name: string) {
  await page.goto("/environments");
  await page.getByRole("button", { name: "New environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(new RegExp(`/environments/${name}$`), { timeout: 60_000 });
  await expect(page.getByTestId("status-badge")).toHaveText("running");
}

export async function apiToken(request: APIRequestContext) {
  const res = await request.post("/api/v1/auth/token", { data: { email: ADMIN.email, password: ADMIN.password } });
  return { authorization: `Bearer ${(await res.json()).token}` };
}

export async function deleteAll(request: APIRequestContext) {
  const headers = await apiToken(request);
  // A Galera cluster's members go with their cluster (deleted alone they are refused).
  const { clusters } = await (await request.get("/api/v1/galera", { headers })).json();
  for (const c of clusters as { name: string }[]) await request.delete(`/api/v1/galera/${c.name}`, { headers });
  const { environments } = await (await request.get("/api/v1/environments", { headers })).json();
  for (const e of environments as { name: string }[])
    await request.delete(`/api/v1/environments/${e.name}`, { headers });
}

/** Appends lines at the end of the CodeMirror document, typing like a person. */
export async function typeAtEndOfEditor(page: Page, text: string) {
  const editor = page.getByTestId("config-editor").locator(".cm-content");
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request from a chosen loopback source address. The console counts sign-in failures per client address,
 * which it takes from the socket (X-Forwarded-For is not trusted), so a second client is a second source address.
 */
export function requestFrom(
  source: string,
  baseURL: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method ?? "GET", headers: init.headers, localAddress: source, agent: false };
    const req = http.request(new URL(path, baseURL), options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** POST /api/v1/auth/token from `source`. */
export function tokenFrom(
  source: string,
  baseURL: string,
  who: { email: string; password: string },
): Promise<RawResponse> {
  return requestFrom(source, baseURL, "/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
}
