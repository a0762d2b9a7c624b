"use client";
import { Button } from "@/components/ui/button";
import type { StaleDetails } from "@/lib/environments/config-revisions";
import { mergeOnTop } from "@/lib/mycnf/merge";
import { DiffView } from "./diff-view";

/**
 * Someone saved my.cnf after this editor was opened. Shows what they changed and offers to replay this editor's
 * change on top of theirs (a three-way merge, conflicts shown, never guessed) or to start again from theirs.
 */
export function ConflictPanel({
  conflict,
  base,
  mine,
  pending,
  onApplyOnTop,
  onTakeTheirs,
}: {
  conflict: StaleDetails;
  base: string;
  mine: string;
  pending: boolean;
  onApplyOnTop: (merged: string) => void;
  onTakeTheirs: () => void;
}) {
  const merged = mergeOnTop(conflict.baseContent ?? base, mine, conflict.currentContent);
  const when = conflict.changedAt.replace("T", " ").slice(0, 19);
  return (
    <div
      role="alert"
      aria-label="my.cnf changed meanwhile"
      className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
    >
      <p className="font-medium">
        my.cnf was changed by {conflict.changedBy} at {when} UTC since you opened it. Nothing was applied.
      </p>
      <p className="text-xs">Their change:</p>
      <DiffView before={conflict.baseContent ?? base} after={conflict.currentContent} label="Their change" />
      {merged.ok ? (
        <p className="text-xs">
          Your change touches other lines: it can be applied on top of theirs (validated and restarted as usual).
        </p>
      ) : (
        <div className="text-xs">
          <p>Your change and theirs touch the same lines; edit on top of their version:</p>
          <ul className="list-disc pl-5 font-mono">
            {merged.conflicts.map((c) => (
              <li key={c.line}>
                line {c.line}: yours “{c.mine.join(" / ") || "(removed)"}”, theirs “
                {c.theirs.join(" / ") || "(removed)"}”
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="flex gap-2">
        <Button disabled={pending || !merged.ok} onClick={() => merged.ok && onApplyOnTop(merged.text)}>
          Apply my change on top
        </Button>
        <Button variant="secondary" disabled={pending} onClick={onTakeTheirs}>
          Load their version
        </Button>
      </div>
    </div>
  );
}
