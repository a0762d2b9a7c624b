"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { semiSyncAction } from "@/app/(console)/environments/[name]/topology/actions";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { SemiSyncBadge, type SemiSyncView } from "./semi-sync-badge";

interface Props {
  name: string;
  view: SemiSyncView;
}

/** Durability per master: semi-synchronous replication on or off, its timeout, and what it is doing now. */
export function SemiSyncCard({ name, view }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <Card title="Durability">
      <form
        key={`${view.enabled}-${view.timeoutMs}`}
        className="flex flex-wrap items-center gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          startTransition(async () => {
            const res = await semiSyncAction(name, f.get("semi") === "on", Number(f.get("timeout")));
            setMessage(res.ok ? { ok: true, text: "Durability saved." } : { ok: false, text: res.error });
            router.refresh();
          });
        }}
      >
        <label className="flex items-center gap-2">
          <input type="checkbox" name="semi" defaultChecked={view.enabled} /> Semi-synchronous
        </label>
        <label className="flex items-center gap-2">
          timeout
          <input
            aria-label="Semi-sync timeout milliseconds"
            name="timeout"
            type="number"
            min={100}
            max={60000}
            step={100}
            defaultValue={view.timeoutMs}
            className="w-24 rounded-md border border-slate-300 px-2 py-1"
          />
          ms
        </label>
        <Button type="submit" variant="secondary" disabled={pending}>
          Save durability
        </Button>
        {message && (
          <span role={message.ok ? "status" : "alert"} className={message.ok ? "" : "text-red-700"}>
            {message.text}
          </span>
        )}
      </form>
      <div className="mt-3 text-sm">
        <SemiSyncBadge view={view} />
      </div>
      <p className="mt-2 text-xs text-slate-600">
        Semi-synchronous: a commit on {name} is acknowledged to the client only once a slave has it in its relay log
        (MariaDB&apos;s built-in semi-sync, wait point AFTER_SYNC), so a failover to the most advanced slave loses no
        acknowledged write. It costs one round trip to the nearest slave per commit. When no slave acknowledges within
        the timeout, or none is connected, MariaDB goes on asynchronously: shown here, and alerted. Switchover,
        failover, Add slave and Clone carry it over; it is written into each server&apos;s my.cnf.
      </p>
    </Card>
  );
}
