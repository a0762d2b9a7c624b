export default function Loading() {
  return (
    <div className="space-y-4" aria-label="Loading">
      <div className="h-8 w-64 animate-pulse rounded bg-slate-200/60" />
      <div className="grid gap-4 md:grid-cols-2">
        <div className="h-48 animate-pulse rounded-lg bg-slate-200/60" />
        <div className="h-48 animate-pulse rounded-lg bg-slate-200/60" />
      </div>
    </div>
  );
}
