export default function Loading() {
  return (
    <div className="grid gap-4 md:grid-cols-2" aria-label="Loading">
      <div className="h-64 animate-pulse rounded-lg bg-slate-200/60" />
      <div className="h-64 animate-pulse rounded-lg bg-slate-200/60" />
    </div>
  );
}
