import { cache } from "react";
import { listEnvironments } from "./lookup";

/** For server components: the actor's environments, read once per request however many layouts and pages ask. */
export const visibleEnvironments = cache(listEnvironments);
