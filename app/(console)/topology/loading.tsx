export default function Loading() {
  return <div className="h-72 animate-pulse rounded-lg bg-slate-200/60" aria-label="Loading" />;
}
