"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { setUserLimitsAction } from "@/app/(console)/admin/users/actions";

export interface LimitsFormUser {
  id: string;
  email: string;
  maxEnvironments: number | null;
  maxMemoryMb: number | null;
}

/** An empty box means "the site default", so clearing it undoes an override. */
const limitOf = (value: FormDataEntryValue | null) => (String(value ?? "").trim() === "" ? null : Number(value));

export function LimitsForm({
  users,
  defaults,
}: {
  users: LimitsFormUser[];
  defaults: { environments: number; memoryMb: number };
}) {
  const router = useRouter();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  // The list grows when a user is added on this page: until one is picked, the first is the choice.
  const selected = users.find((u) => u.id === selectedId) ?? users[0];
  if (!selected)
    return <p className="text-sm text-slate-600">No users without admin rights yet: admins have no quota.</p>;

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    const res = await setUserLimitsAction(selected.id, {
      maxEnvironments: limitOf(form.get("maxEnvironments")),
      maxMemoryMb: limitOf(form.get("maxMemoryMb")),
    });
    setPending(false);
    setMessage(res.ok ? { ok: true, text: res.text } : { ok: false, text: res.error });
    if (res.ok) router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <div className="space-y-1">
        <label htmlFor="limits-user" className="block text-sm font-medium text-slate-700">
          User
        </label>
        <select
          id="limits-user"
          value={selected.id}
          onChange={(e) => {
            setSelectedId(e.target.value);
            setMessage(null);
          }}
          className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
        >
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
        </select>
      </div>
      {/* Keyed by user so the boxes show the chosen user's current limits. */}
      <div key={selected.id} className="space-y-3">
        <Field
          id="limits-environments"
          name="maxEnvironments"
          type="number"
          min={0}
          step={1}
          label="Environment limit"
          defaultValue={selected.maxEnvironments ?? ""}
          placeholder={`default: ${defaults.environments}`}
          hint="Empty = the site default."
        />
        <Field
          id="limits-memory"
          name="maxMemoryMb"
          type="number"
          min={0}
          step={1}
          label="Memory limit (MB)"
          defaultValue={selected.maxMemoryMb ?? ""}
          placeholder={`default: ${defaults.memoryMb}`}
          hint="Total of the user's environments' memory limits. Lowering a limit stops nothing; new environments are refused."
        />
      </div>
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-700"}`}
        >
          {message.text}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save limits"}
      </Button>
    </form>
  );
}
