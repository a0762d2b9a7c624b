"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { CopyBlock } from "@/components/ui/copy-block";
import { Field } from "@/components/ui/field";
import {
  checkSwarmImagesAction,
  copyImagesAction,
  issueEngineCredentialsAction,
  registerHostAction,
  removeHostAction,
} from "@/app/(console)/admin/hosts/actions";

type Tls = { ca: string; cert: string; key: string };
const NO_TLS: Tls = { ca: "", cert: "", key: "" };

export function AddHostForm() {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [endpoint, setEndpoint] = useState("");
  const [kind, setKind] = useState<"engine" | "swarm">("engine");
  const [tls, setTls] = useState<Tls>(NO_TLS);
  return (
    <div className="space-y-4">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const text = (k: string) => String(f.get(k) ?? "").trim() || undefined;
          startTransition(async () => {
            const res = await registerHostAction({
              name: String(f.get("name")),
              kind,
              endpoint,
              image: text("image"),
              advertisedAddress: kind === "swarm" ? undefined : text("advertisedAddress"),
              tls: tls.cert ? tls : undefined,
            });
            setError(res.ok ? null : res.error);
          });
        }}
      >
        <Field id="host-name" name="name" label="Name" required placeholder="hardnode-2" />
        <label className="block text-sm font-medium text-slate-700">
          Kind
          <select
            aria-label="Kind"
            className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            value={kind}
            onChange={(e) => setKind(e.target.value as "engine" | "swarm")}
          >
            <option value="engine">Docker engine (one machine)</option>
            <option value="swarm">Docker Swarm (its manager)</option>
          </select>
        </label>
        <Field
          id="host-endpoint"
          label="Endpoint"
          required
          value={endpoint}
          onChange={(e) => setEndpoint(e.target.value)}
          placeholder="unix:///run/docker.sock or tcp://10.0.0.2:2376"
          hint="Another machine: tcp:// with TLS client certificates (below). The engine API is root on that machine."
        />
        {kind === "engine" && (
          <Field
            id="host-advertised"
            name="advertisedAddress"
            label="Advertised address (optional)"
            placeholder="10.0.0.2"
            hint="Where applications and other hosts reach its servers; defaults to the tcp:// endpoint's address."
          />
        )}
        <Field
          id="host-image"
          name="image"
          label="Image (optional)"
          placeholder="mariner/mariadb:10.11"
          hint="A local image; it is never pulled. Build it with npm run image:build -- <endpoint>."
        />
        <details className="text-sm" open={!!tls.cert}>
          <summary className="cursor-pointer text-slate-700">TLS client certificates (tcp://)</summary>
          <div className="mt-2 space-y-2">
            {(["ca", "cert", "key"] as const).map((k) => (
              <label key={k} className="block text-sm font-medium text-slate-700">
                {{ ca: "CA certificate", cert: "Client certificate", key: "Client key" }[k]}
                <textarea
                  aria-label={{ ca: "CA certificate", cert: "Client certificate", key: "Client key" }[k]}
                  className="mt-1 h-20 w-full rounded-md border border-slate-300 p-2 font-mono text-xs"
                  value={tls[k]}
                  onChange={(e) => setTls({ ...tls, [k]: e.target.value })}
                  placeholder="-----BEGIN …-----"
                />
              </label>
            ))}
          </div>
        </details>
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        <Button type="submit" disabled={pending}>
          Add host
        </Button>
      </form>
      <IssueCredentials
        onIssued={(issued) => {
          setEndpoint(issued.endpoint);
          setTls(issued.client);
        }}
      />
    </div>
  );
}

/** A new machine without certificates: the console's engine CA issues both sides, and says how to start dockerd. */
function IssueCredentials({ onIssued }: { onIssued: (c: { endpoint: string; client: Tls }) => void }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<{ files: Record<string, string>; command: string } | null>(null);
  return (
    <form
      className="space-y-2 border-t border-slate-200 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        const address = String(new FormData(e.currentTarget).get("address"));
        startTransition(async () => {
          const res = await issueEngineCredentialsAction(address);
          if (!res.ok) return setError(res.error);
          setError(null);
          setIssued({ files: res.engineFiles, command: res.dockerdCommand });
          onIssued({ endpoint: res.endpoint, client: res.client });
        });
      }}
    >
      <Field
        id="issue-address"
        name="address"
        label="New machine's address"
        required
        placeholder="10.0.0.2"
        hint="The console's engine CA issues the engine's certificate and the console's client certificate."
      />
      <Button type="submit" variant="secondary" disabled={pending}>
        Issue certificates
      </Button>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {issued && (
        <div className="space-y-2 text-sm" data-testid="engine-setup">
          <p>
            On the new machine, put these files in <code>/etc/docker/mariner/</code> (the key readable by root only),
            then start the engine; the endpoint and client certificates above are filled in.
          </p>
          <CopyBlock text={issued.command} />
          {Object.entries(issued.files).map(([name, content]) => (
            <details key={name}>
              <summary className="cursor-pointer font-mono text-xs">{name}</summary>
              <CopyBlock text={content} />
            </details>
          ))}
        </div>
      )}
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

/** A host without the images gets them from another registered host, engine to engine (never a registry). */
export function CopyImagesButton({ name }: { name: string }) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <span className="ml-2 space-x-2">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const res = await copyImagesAction(name);
            setMessage(res.ok ? `Copied ${res.copied.join(", ") || "nothing"} from ${res.from ?? "—"}` : res.error);
          })
        }
      >
        {pending ? "Copying images…" : "Copy images"}
      </Button>
      {message && <span className="text-xs">{message}</span>}
    </span>
  );
}

/** Runs the image once on every node of a Swarm (a global job): which nodes have it, asked rather than guessed. */
export function CheckSwarmImagesButton({ name }: { name: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="space-x-2">
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const res = await checkSwarmImagesAction(name);
            setError(res.ok ? null : res.error);
          })
        }
      >
        {pending ? "Checking images…" : "Check images"}
      </Button>
      {error && <span className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
