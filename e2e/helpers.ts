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
  const { environments } = await (await request.get("/api/v1/environments", { headers })).json();
  for (const e of environments as { name: string }[]) await request.delete(`/api/v1/environments/${e.name}`, { headers });
}

/** Appends lines at the end of the CodeMirror document, typing like a person. */
export async function typeAtEndOfEditor(page: Page, text: string) {
  const editor = page.getByTestId("config-editor").locator(".cm-content");
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}
