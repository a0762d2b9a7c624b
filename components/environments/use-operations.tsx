"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Card } from "@/components/ui/card";
import { OperationProgress } from "./operation-progress";

export type Started = { ok: true; operationId: string } | { ok: false; error: string };
export type Done = { ok: true } | { ok: false; error: string };

/**
 * Shared by the workspaces that launch console operations: long ones (`start`) show live steps,
 * short ones (`finish`) a result line; both refresh the page when done.
 */
export function useOperations() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [operation, setOperation] = useState<{ id: string; title: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  function start(title: string, work: () => Promise<Started>) {
    setMessage(null);
    startTransition(async () => {
      const res = await work();
      if (res.ok) setOperation({ id: res.operationId, title });
      else setMessage({ ok: false, text: res.error });
    });
  }

  function finish(text: string, work: () => Promise<Done>) {
    setMessage(null);
    startTransition(async () => {
      const res = await work();
      setMessage(res.ok ? { ok: true, text } : { ok: false, text: res.error });
      router.refresh();
    });
  }

  const panel = (
    <>
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={`rounded-md border p-3 text-sm ${message.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}
        >
          {message.text}
        </p>
      )}
      {operation && (
        // Keyed: a new operation must not show the previous one's steps and "Finished." while it loads.
        <Card key={operation.id} title={operation.title}>
          <OperationProgress operationId={operation.id} onDone={() => router.refresh()} />
        </Card>
      )}
    </>
  );

  return { pending, start, finish, panel };
}
