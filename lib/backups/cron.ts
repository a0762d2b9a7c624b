/** A 5-field cron expression (minute hour day-of-month month day-of-week) with *, a-b, lists and steps. */
const FIELDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function field(spec: string, [min, max]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a cron field`);
    const from = m[1] === "*" ? min : Number(m[2]);
    const to = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new Error(`"${part}" is out of range ${min}-${max}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): Set<number>[] {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error("A schedule has 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * *)");
  return parts.map((p, i) => field(p, FIELDS[i]));
}

export function cronMatches(expr: string, at: Date): boolean {
  const [min, hour, dom, mon, dow] = parseCron(expr);
  return min.has(at.getMinutes()) && hour.has(at.getHours()) && dom.has(at.getDate()) && mon.has(at.getMonth() + 1) && dow.has(at.getDay());
}
