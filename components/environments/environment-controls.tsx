"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { deleteEnvironmentAction, environmentActionAction } from "@/app/(console)/environments/actions";
import { Button } from "@/components/ui/button";
import { ErrorLines } from "@/components/ui/error-lines";

export function EnvironmentControls({ name, status }: { name: string; status: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ error: string; lines?: string[] } | null>(null);
  const [typed, setTyped] = useState("");
  const confirm = useRef<HTMLDialogElement>(null);
  const settled = status !== "creating" && status !== "deleting";

  function act(action: "start" | "stop" | "restart") {
    setBusy(action);
    setError(null);
    startTransition(async () => {
      const res = await environmentActionAction(name, action);
      if (!res.ok) setError(res);
      setBusy(null);
      router.refresh();
    });
  }

  function remove() {
    setBusy("delete");
    startTransition(async () => {
      const res = await deleteEnvironmentAction(name);
      setBusy(null);
      if (res.ok) {
        confirm.current?.close();
        router.push("/environments");
      } else setError(res);
    });
  }

  const disabled = pending || !settled;
  return (
    <div className="space-y-2">
      <div className="flex gap-2">
        <Button variant="secondary" disabled={disabled || status === "running"} onClick={() => act("start")}>
          {busy === "start" ? "Starting…" : "Start"}
        </Button>
        <Button variant="secondary" disabled={disabled || status === "stopped"} onClick={() => act("stop")}>
          {busy === "stop" ? "Stopping…" : "Stop"}
        </Button>
        <Button variant="secondary" disabled={disabled} onClick={() => act("restart")}>
          {busy === "restart" ? "Restarting…" : "Restart"}
        </Button>
        <Button variant="danger" disabled={disabled} onClick={() => (setTyped(""), confirm.current?.showModal())}>
          Delete
        </Button>
      </div>
      {error && <ErrorLines message={error.error} lines={error.lines} />}
      <dialog ref={confirm} aria-labelledby="delete-title" className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <div className="space-y-4 p-5">
          <h2 id="delete-title" className="text-lg font-semibold">
            Delete {name}?
          </h2>
          <p className="text-sm text-slate-600">
            This stops the server and removes its data directory. Every database in it is lost. Type{" "}
            <strong>{name}</strong> to confirm.
          </p>
          <input
            aria-label="Type the environment name to confirm"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => confirm.current?.close()}>
              Cancel
            </Button>
            <Button variant="danger" disabled={typed !== name || pending} onClick={remove}>
              {busy === "delete" ? "Deleting…" : "Delete environment"}
            </Button>
          </div>
        </div>
      </dialog>
    </div>
  );
}
