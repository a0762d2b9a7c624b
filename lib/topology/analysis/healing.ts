// Judging a Swarm topology's kept slaves (pure): which count, which are lost with their node, how many to add.
// Acting on it is lib/topology/heal.ts.

export interface HealingVerdict {
  /** Kept slaves that count: answering, restarting or stopped on a node that is there. */
  counted: string[];
  /** Kept slaves whose node is lost (down or drained): to be replaced. */
  lost: string[];
  missing: number;
}

/** Judging: which kept slaves count, which are lost, how many replacements are due. */
export function judgeHealing(keep: number, members: { name: string; status: string }[]): HealingVerdict {
  const lost = members.filter((m) => m.status === "unreachable").map((m) => m.name);
  const counted = members.filter((m) => m.status !== "unreachable").map((m) => m.name);
  return { counted, lost, missing: Math.max(0, keep - counted.length) };
}
