import { z } from "zod";

/** Environment names are DNS labels, like Jelastic's (they end up in host names and paths). */
export const environmentName = z
  .string({ error: "Name is required" })
  .min(1, "Name is required")
  .max(40, "Name must be at most 40 characters")
  .regex(
    /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/,
    "Name must be a DNS label: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
  );

export const memoryMb = z
  .number({ error: "Memory limit must be a number of MB" })
  .int("Memory limit must be a whole number of MB")
  .min(128, "Memory limit must be at least 128 MB")
  .max(16384, "Memory limit must be at most 16384 MB");

export const email = z.string().trim().toLowerCase().email("Enter a valid e-mail address").max(200);
export const password = z.string().min(8, "Password must be at least 8 characters").max(200, "Password is too long");
