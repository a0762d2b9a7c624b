import { BackupsWorkspace } from "@/components/backups/backups-workspace";
import { nextRuns } from "@/lib/backups/cron";
import { getBackupPolicy, listBackups, pointInTimeView } from "@/lib/backups/service";
import { PointInTimeCard } from "@/components/backups/point-in-time-card";
import { pageEnvironment } from "@/lib/environments/page";
import { listEnvironments } from "@/lib/environments/service";
import { driverFor } from "@/lib/runtime";

export const metadata = { title: "Backups" };

/** The next three runs of a stored schedule, in the console's clock (what the scheduler obeys). */
const upcoming = (schedule: string | null) =>
  schedule ? nextRuns(schedule, 3).map((d) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC") : [];

export default async function BackupsPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const { actor, env } = await pageEnvironment(name);
  const [backups, policy, envs, pitr] = await Promise.all([
    listBackups(actor, name),
    getBackupPolicy(actor, name),
    listEnvironments(actor),
    pointInTimeView(actor, name),
  ]);
  return (
    <div className="space-y-4">
      <BackupsWorkspace
        name={name}
        physical={!!driverFor(env.runtime).physical}
        policy={
          policy
            ? {
                schedule: policy.schedule,
                keepLast: policy.keepLast,
                keepDays: policy.keepDays,
                verifySchedule: policy.verifySchedule,
                revision: policy.revision,
              }
            : null
        }
        nextRuns={{ backups: upcoming(policy?.schedule ?? null), tests: upcoming(policy?.verifySchedule ?? null) }}
        environments={envs.filter((e) => e.status === "running").map((e) => e.name)}
        backups={backups.map((b) => ({
          id: b.id,
          startedAt: b.startedAt.toISOString(),
          durationMs: b.finishedAt ? b.finishedAt.getTime() - b.startedAt.getTime() : null,
          source: b.sourceName,
          method: b.method,
          format: b.format,
          sizeBytes: b.sizeBytes,
          sha256: b.sha256,
          gtidPosition: b.gtidPosition,
          status: b.status,
          error: b.error,
          scheduled: b.scheduled,
          verification: b.verification,
        }))}
      />
      <PointInTimeCard name={name} view={pitr ? JSON.parse(JSON.stringify(pitr)) : null} />
    </div>
  );
}
