import { z } from "zod";
import { isSystemSchema } from "@/lib/mariadb/schemas";

/** A tenant's database name: plain characters only (it ends up in paths, dumps and GRANTs), not the server's own. */
export const databaseName = z
  .string({ error: "Database name is required" })
  .min(1, "Database name is required")
  .max(64, "Database name must be at most 64 characters")
  .regex(/^[A-Za-z0-9_$][A-Za-z0-9_$-]*$/, "Database name may use letters, digits, _, $ and - (not first) only")
  .refine((s) => !isSystemSchema(s), "That is a system schema of the server")
  .refine((s) => !/^mariner_/i.test(s), "Names starting with mariner_ belong to the console");

/** An application account's user name (the console's own and the server's are refused). */
export const accountUser = z
  .string({ error: "User name is required" })
  .min(1, "User name is required")
  .max(80, "User name must be at most 80 characters")
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "User name may use letters, digits, _, . and - only")
  .refine((s) => !isProtectedUser(s), "root, mariadb.sys and mariner_* accounts belong to the server or the console");

/** Accounts the server or the console depends on: shown, never changed from the Accounts tab. */
export const isProtectedUser = (user: string) =>
  user === "" || /^root$/i.test(user) || /^mariadb\.sys$/i.test(user) || /^mariner_/i.test(user);

export const accountHost = z
  .string()
  .min(1, "Host pattern is required")
  .max(255, "Host pattern is too long")
  .regex(
    /^(?:localhost|[0-9A-Fa-f.:%_]+(?:\/[0-9.]+)?)$/,
    "Host must be %, localhost, an address or a pattern like 10.0.%, 10.0.0.0/255.255.0.0 (names are not resolved)",
  );
