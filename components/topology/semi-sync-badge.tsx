export interface SemiSyncView {
  enabled: boolean;
  timeoutMs: number;
  /** The monitor's last observation and since when. */
  observed: string | null;
  since: string | null;
  detail: string | null;
  /** What the server says right now (null: not answering). */
  now: { state: "off" | "active" | "fallen-back"; detail: string; clients: number; slaveActive: boolean } | null;
}

/** One line: active, fallen back (since when, why) or off; the server's word wins over the last observation. */
export function SemiSyncBadge({ view }: { view: SemiSyncView }) {
  if (!view.enabled && view.now?.slaveActive)
    return (
      <span data-testid="semi-sync-state" className="text-emerald-700">
        Semi-sync slave: acknowledges each transaction it receives to its master.
      </span>
    );
  if (!view.enabled && view.now?.state !== "active")
    return <span data-testid="semi-sync-state">Asynchronous: commits do not wait for a slave.</span>;
  const state = view.now?.state ?? view.observed;
  const since = view.since && view.observed === state ? ` since ${new Date(view.since).toLocaleString()}` : "";
  if (state === "active")
    return (
      <span data-testid="semi-sync-state" className="text-emerald-700">
        Semi-sync active{since}: {view.now?.detail ?? view.detail}
      </span>
    );
  return (
    <span data-testid="semi-sync-state" role="alert" className="text-amber-700">
      Semi-sync fallen back to asynchronous{since}: {view.now?.detail ?? view.detail ?? "not observed yet"}
    </span>
  );
}
