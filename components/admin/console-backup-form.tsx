"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Downloads the console's encrypted state; the passphrase goes to the server once and is never stored. */
export function ConsoleBackupForm({ minLength }: { minLength: number }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const passphrase = String(form.get("passphrase"));
    if (passphrase !== String(form.get("again"))) {
      setMessage({ ok: false, text: "The two passphrases differ" });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch("/api/v1/console/backup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ passphrase }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        setMessage({ ok: false, text: body?.error?.message ?? `The console answered ${res.status}` });
        return;
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "console.mcb";
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.click();
      URL.revokeObjectURL(url);
      formEl.reset();
      setMessage({
        ok: true,
        text: `Downloaded ${name}. Keep the passphrase apart from the file: without it, nothing in it can be read.`,
      });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <Field
        id="backup-passphrase"
        name="passphrase"
        type="password"
        label="Passphrase"
        required
        minLength={minLength}
        autoComplete="new-password"
        hint={`At least ${minLength} characters; needed to restore.`}
      />
      <Field
        id="backup-again"
        name="again"
        type="password"
        label="Passphrase again"
        required
        autoComplete="new-password"
      />
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-700"}`}
        >
          {message.text}
        </p>
      )}
      <Button type="submit" disabled={busy}>
        {busy ? "Backing up…" : "Download console backup"}
      </Button>
    </form>
  );
}
