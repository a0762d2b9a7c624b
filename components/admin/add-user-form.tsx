"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { addUserAction } from "@/app/(console)/admin/users/actions";

export function AddUserForm() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const res = await addUserAction({
      email: String(form.get("email")),
      password: String(form.get("password")),
      role: String(form.get("role")),
    });
    setMessage(res.ok ? { ok: true, text: `Added ${res.email}` } : { ok: false, text: res.error });
    if (res.ok) formEl.reset();
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <Field id="new-email" name="email" type="email" label="E-mail" required />
      <Field
        id="new-password"
        name="password"
        type="password"
        label="Password"
        required
        minLength={8}
        hint="At least 8 characters."
      />
      <div className="space-y-1">
        <label htmlFor="new-role" className="block text-sm font-medium text-slate-700">
          Role
        </label>
        <select id="new-role" name="role" className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm">
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
      </div>
      {message && (
        <p
          role={message.ok ? "status" : "alert"}
          className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-700"}`}
        >
          {message.text}
        </p>
      )}
      <Button type="submit">Add user</Button>
    </form>
  );
}
