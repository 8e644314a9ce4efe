// The demo's morning: land the night's results on main through the merge queue, then what the jobs left on disk.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { landJobs, landQueues } from '../../client/land.js';
import { jobOutcome } from '../../client/jobs.js';
import type { Config } from '../../config/schema.js';
import type { LandEntry } from '../../protocol/land.js';
import { diskUsage } from '../../workspace/gc-plan.js';

type Say = (line?: string) => boolean;

export async function landResults(client: Client, config: Config, ids: string[], say: Say): Promise<void> {
  const ready: string[] = [];
  for (const id of ids) if ((await jobOutcome(client, id)).result?.commit) ready.push(id);
  if (ready.length === 0) return void say('   no job committed work to land');
  const queued = await landJobs(client, config, ready, {});
  const ended: LandEntry[] = [];
  for (let i = 0; i < 600 && ended.length < queued.length; i++) {
    await sleep(500);
    const views = await landQueues(client, config);
    ended.splice(0, ended.length, ...views.flatMap((v) => v.done.filter((e) => ready.includes(e.jobId))));
  }
  for (const e of ended) {
    const took = e.startedAt && e.finishedAt ? `${((e.finishedAt - e.startedAt) / 1000).toFixed(2)}s` : '?';
    say(`   ${e.jobId}  ${e.state}${e.commit ? ` → main @ ${e.commit.slice(0, 12)}` : ''}  in ${took}`);
  }
}

/** Bytes on disk under the data dir's worktrees and job dirs (as `gc` counts them), and per job. */
export async function diskUse(dataDir: string, jobs: number, say: Say): Promise<void> {
  const worktrees = await diskUsage(join(dataDir, 'worktrees'));
  const jobDirs = await diskUsage(join(dataDir, 'jobs'));
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  say(
    `   worktrees ${kb(worktrees)}, job dirs ${kb(jobDirs)}: ${kb((worktrees + jobDirs) / Math.max(jobs, 1))} per job`,
  );
}
