"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { registerHostAction, removeHostAction } from "@/app/(console)/admin/hosts/actions";

export function AddHostForm() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        startTransition(async () => {
          const res = await registerHostAction({
            name: String(f.get("name")),
            endpoint: String(f.get("endpoint")),
            image: String(f.get("image") ?? "").trim() || undefined,
          });
          setError(res.ok ? null : res.error);
        });
      }}
    >
      <Field id="host-name" name="name" label="Name" required placeholder="hardnode-2" />
      <Field
        id="host-endpoint"
        name="endpoint"
        label="Endpoint"
        required
        placeholder="unix:///run/docker.sock or tcp://10.0.0.2:2376"
        hint="tcp:// uses the TLS client certificates in DOCKER_CERT_PATH."
      />
      <Field
        id="host-image"
        name="image"
        label="Image (optional)"
        placeholder="mariner/mariadb:10.11"
        hint="A local image; it is never pulled. Build it with npm run image:build -- <endpoint>."
      />
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        Add host
      </Button>
    </form>
  );
}

export function RemoveHostButton({ name }: { name: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="space-x-2">
      <Button
        variant="secondary"
        onClick={async () => {
          const res = await removeHostAction(name);
          setError(res.ok ? null : res.error);
        }}
      >
        Remove
      </Button>
      {error && <span className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
