"use server";
import { revalidatePath } from "next/cache";
import { actionResult } from "@/lib/api/action-result";
import { requireActor } from "@/lib/auth/session";
import * as accounts from "@/lib/data/accounts";
import { createDatabase, dropDatabase } from "@/lib/data/databases";

/** Every action here changes the tab's lists: the page re-reads them after it. */
async function onTab<T extends object>(
  name: string,
  work: (actor: Awaited<ReturnType<typeof requireActor>>) => Promise<T>,
) {
  const actor = await requireActor();
  const res = await actionResult(() => work(actor));
  revalidatePath(`/environments/${name}/databases`);
  return res;
}

export const createDatabaseAction = async (
  name: string,
  input: { name: string; charset?: string; collation?: string },
) => onTab(name, (actor) => createDatabase(actor, name, input));

export const dropDatabaseAction = async (name: string, input: { name: string; confirm: string }) =>
  onTab(name, async (actor) => (await dropDatabase(actor, name, input), {}));

export const createAccountAction = async (name: string, input: unknown) =>
  onTab(name, (actor) => accounts.createAccount(actor, name, input));

export const grantAction = async (name: string, input: unknown) =>
  onTab(name, (actor) => accounts.setGrant(actor, name, input));

export const passwordAction = async (name: string, input: unknown) =>
  onTab(name, (actor) => accounts.changePassword(actor, name, input));

export const lockAction = async (name: string, input: unknown) =>
  onTab(name, async (actor) => (await accounts.lockAccount(actor, name, input), {}));

export const dropAccountAction = async (name: string, input: unknown) =>
  onTab(name, async (actor) => (await accounts.dropAccount(actor, name, input), {}));
