import { ConfigWorkspace } from "@/components/config/config-workspace";
import { pageEnvironment } from "@/lib/environments/page";
import { getConfig, listRevisions } from "@/lib/environments/config";

export const metadata = { title: "Config" };

export default async function ConfigPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor } = await pageEnvironment(name);
  const [config, revisions] = await Promise.all([getConfig(actor, name), listRevisions(actor, name)]);
  return (
    <ConfigWorkspace
      name={name}
      initialContent={config.content}
      revision={config.revision}
      serverId={config.serverId}
      revisions={revisions.map((r) => ({
        id: r.id,
        author: r.author,
        result: r.result,
        message: r.message,
        createdAt: r.createdAt.toISOString(),
        content: r.content,
      }))}
    />
  );
}
