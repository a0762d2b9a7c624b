import { withActor } from "@/lib/api/http";
import { ensureCa } from "@/lib/tls/ca";

/** The console CA certificate, for application clients that verify the servers (sslmode=verify). */
export async function GET(request: Request) {
  return withActor(
    request,
    async () =>
      new Response(await ensureCa(), {
        headers: {
          "content-type": "application/x-pem-file",
          "content-disposition": 'attachment; filename="mariner-ca.pem"',
        },
      }),
  );
}
