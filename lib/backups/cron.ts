import { Cron } from "croner";

// Schedules are classic 5-field cron (minute hour day-of-month month day-of-week), evaluated by croner in the
// console's time zone. As in cron, a restricted day-of-month and day-of-week match when EITHER does
// (`0 3 1 * 1`: the 1st of the month and every Monday).

const FIVE_FIELDS = "A schedule has 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * *)";

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  // croner also takes 6–7 fields (seconds, year): the form and the API promise cron's five.
  if (parts.length !== 5 || parts[0] === "") throw new Error(FIVE_FIELDS);
  try {
    return new Cron(parts.join(" "), { paused: true });
  } catch (e) {
    throw new Error(`"${expr.trim()}" is not a valid schedule: ${(e as Error).message.replace(/^CronPattern: /, "")}`);
  }
}

/** Whether the minute `at` falls in is one the schedule names (seconds ignored: the scheduler ticks each minute). */
export function cronMatches(expr: string, at: Date): boolean {
  const minute = new Date(at);
  minute.setSeconds(0, 0);
  return parseCron(expr).match(minute);
}

/** The next `count` run times after `from`, shown next to a schedule so that it reads as what it does. */
export function nextRuns(expr: string, count: number, from = new Date()): Date[] {
  return parseCron(expr).nextRuns(count, from);
}
