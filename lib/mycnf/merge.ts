import { diffLines } from "./diff";
import { normalizeKey } from "./parse";

/** A change of one side against the common base: base lines [start, end) replaced by `lines`. */
interface Hunk {
  start: number;
  end: number;
  lines: string[];
}

export type MergeResult =
  { ok: true; text: string } | { ok: false; conflicts: { line: number; mine: string[]; theirs: string[] }[] };

function hunksOf(base: string, changed: string): Hunk[] {
  const hunks: Hunk[] = [];
  let baseLine = 0;
  let open: Hunk | null = null;
  for (const d of diffLines(base, changed)) {
    if (d.op === " ") {
      if (open) hunks.push(open);
      open = null;
      baseLine = d.a!;
      continue;
    }
    open ??= { start: baseLine, end: baseLine, lines: [] };
    if (d.op === "-") open.end = baseLine = d.a!;
    else open.lines.push(d.text);
  }
  if (open) hunks.push(open);
  return hunks;
}

const same = (a: Hunk, b: Hunk) => a.start === b.start && a.end === b.end && a.lines.join("\n") === b.lines.join("\n");
const isInsertion = (h: Hunk) => h.start === h.end;
/** The options a block of lines sets (comments, sections and blank lines set none). */
const optionsSet = (lines: string[]) =>
  new Set(lines.filter((l) => /^\s*[A-Za-z]/.test(l)).map((l) => normalizeKey(l.split("=")[0].trim())));
/**
 * Touching the same base lines conflicts. Two additions at the same place (both people appended at the end, the
 * common case) are kept, theirs first, unless both set the same option: which value wins would be a guess.
 */
function overlap(a: Hunk, b: Hunk): boolean {
  if (isInsertion(a) && isInsertion(b)) {
    if (a.start !== b.start) return false;
    const theirs = optionsSet(b.lines);
    return [...optionsSet(a.lines)].some((k) => theirs.has(k));
  }
  return (
    (a.start < b.end && b.start < a.end) ||
    (isInsertion(a) && a.start === b.end) ||
    (isInsertion(b) && b.start === a.end) ||
    a.start === b.start
  );
}

/**
 * Three-way merge of my.cnf texts (diff3 on lines): my edit (base → mine) replayed on top of what someone else
 * saved meanwhile (base → theirs). Edits that touch the same lines are conflicts, never silently resolved.
 */
export function mergeOnTop(base: string, mine: string, theirs: string): MergeResult {
  const my = hunksOf(base, mine);
  const their = hunksOf(base, theirs);
  const conflicts = my.flatMap((m) =>
    their
      .filter((t) => overlap(m, t) && !same(m, t))
      .map((t) => ({ line: Math.min(m.start, t.start) + 1, mine: m.lines, theirs: t.lines })),
  );
  if (conflicts.length) return { ok: false, conflicts };

  const all = [
    ...their.map((h) => ({ ...h, mine: false })),
    ...my.filter((m) => !their.some((t) => same(m, t))).map((h) => ({ ...h, mine: true })),
  ];
  // Applied from the end of the base backwards, so earlier line numbers stay valid; at one place, mine goes in
  // first so that theirs ends up before it.
  all.sort((x, y) => y.start - x.start || y.end - x.end || Number(y.mine) - Number(x.mine));
  const out = base.split("\n");
  for (const h of all) out.splice(h.start, h.end - h.start, ...h.lines);
  return { ok: true, text: out.join("\n") };
}
