const styles: Record<string, string> = {
  running: "bg-emerald-100 text-emerald-800 ring-emerald-600/20",
  creating: "bg-blue-100 text-blue-800 ring-blue-600/20",
  deleting: "bg-amber-100 text-amber-800 ring-amber-600/20",
  stopped: "bg-slate-100 text-slate-700 ring-slate-500/20",
  down: "bg-red-100 text-red-800 ring-red-600/20",
  unreachable: "bg-orange-100 text-orange-800 ring-orange-600/20",
  failed: "bg-red-100 text-red-800 ring-red-600/20",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      data-testid="status-badge"
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[status] ?? styles.stopped}`}
    >
      <span
        className={`h-1.5 w-1.5 rounded-full bg-current ${status === "creating" || status === "deleting" ? "animate-pulse" : ""}`}
      />
      {status}
    </span>
  );
}
