import { z } from "zod";

/**
 * Request bodies of the routes that parse their input themselves (the others' schemas live with their service,
 * which parses after checking ownership). Exported so the e2e sweep generates hostile input from the same objects.
 */

/** POST /api/v1/auth/token */
export const tokenRequestInput = z.strictObject({
  email: z.string().max(200),
  password: z.string().max(200),
  name: z.string().max(100).optional(),
});

/** POST /api/v1/tokens */
export const newTokenInput = z.strictObject({ name: z.string().trim().min(1).max(100).optional() });

/** POST /api/v1/doctor: the id of the finding whose one-click fix to run. */
export const doctorFixInput = z.strictObject({ fix: z.string().min(1).max(200) });

/** POST /api/v1/environments/{name}/promote */
export const promoteInput = z.strictObject({ demoteOldMaster: z.boolean().default(true) });
