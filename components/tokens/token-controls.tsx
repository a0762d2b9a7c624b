"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { createTokenAction, revokeTokenAction } from "@/app/(console)/tokens/actions";

export function TokenControls() {
  const [token, setToken] = useState<string | null>(null);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setToken(await createTokenAction(String(new FormData(e.currentTarget).get("name") ?? "")));
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
      <div className="w-64">
        <Field id="token-name" name="name" label="Name" placeholder="ci" maxLength={100} />
      </div>
      <Button type="submit">Create token</Button>
      {token && (
        <p className="w-full text-sm">
          Copy it now, it is shown once:{" "}
          <code className="break-all rounded bg-amber-50 px-1 font-mono" data-testid="new-token">
            {token}
          </code>
        </p>
      )}
    </form>
  );
}

export function RevokeButton({ id }: { id: string }) {
  return (
    <Button variant="secondary" onClick={() => revokeTokenAction(id)}>
      Revoke
    </Button>
  );
}
