"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { createEndpointsAction } from "@/app/(console)/environments/[name]/connection/actions";

export function CreateEndpointsButton({ name }: { name: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-1">
      <Button
        disabled={pending}
        onClick={() =>
          startTransition(async () => setError(((r) => (r.ok ? null : r.error))(await createEndpointsAction(name))))
        }
      >
        Create writer and reader endpoints
      </Button>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
