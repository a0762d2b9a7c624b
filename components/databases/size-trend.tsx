import { formatBytes } from "./format";

/** A database's size over the sampled days as a small line, with the first and last value in its title. */
export function SizeTrend({ points }: { points: { t: number; bytes: number }[] }) {
  if (points.length < 2) return <span className="text-xs text-slate-400">collecting</span>;
  const w = 120;
  const h = 24;
  const t0 = points[0].t;
  const span = Math.max(1, points.at(-1)!.t - t0);
  const max = Math.max(...points.map((p) => p.bytes), 1);
  const d = points
    .map(
      (p, i) =>
        `${i ? "L" : "M"}${(((p.t - t0) / span) * w).toFixed(1)},${(h - (p.bytes / max) * (h - 2) - 1).toFixed(1)}`,
    )
    .join(" ");
  const label = `${formatBytes(points[0].bytes)} → ${formatBytes(points.at(-1)!.bytes)} since ${new Date(t0).toLocaleString()}`;
  return (
    <svg width={w} height={h} role="img" aria-label={`Size over time: ${label}`}>
      <title>{label}</title>
      <path d={d} fill="none" stroke="currentColor" className="text-blue-700" strokeWidth="1.5" />
    </svg>
  );
}
