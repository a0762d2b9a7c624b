export default function Loading() {
  return <div className="h-96 animate-pulse rounded-lg bg-slate-200/60" aria-label="Loading" />;
}
