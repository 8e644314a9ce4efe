// A landing's first step: the job's work put on the target's current tip in a scratch worktree — rebased, or
// merged — or the files that conflict. The target itself is not touched here.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { LandPrepared, LandPrepareInput } from '../protocol/land.js';
import { readRecord, recordWorktree } from './git-record.js';
import { git, gitOk } from './git.js';
import { commitOf, isAncestor, landFailed, withLandRepo, type LandRepo } from './land-repo.js';

const NO_HOOKS = ['-c', 'core.hooksPath=/dev/null'];

/** Where a landing's scratch worktree lives on this host. */
export const scratchPath = (config: Config, landId: string, jobId: string): string =>
  join(config.dataDir, 'land', landId, jobId);

/** Idempotent: a retry starts the scratch worktree over; a job whose work the target already holds is `landed`. */
export async function prepareLanding(input: LandPrepareInput, config: Config): Promise<LandPrepared> {
  return withLandRepo(config, input.repo, input.target, async (r) => {
    const tip = await commitOf(r, r.targetRef, 'target');
    const sha = await commitOf(r, input.sha, `job ${input.jobId}'s commit on`);
    if (await isAncestor(r.dir, sha, tip)) return { kind: 'landed', tip, commit: tip };
    const scratch = scratchPath(config, input.landId, input.jobId);
    await removeScratchIn(r.dir, scratch);
    // Already on the tip (a resolved merge, a target that has not moved): nothing to replay, a fast-forward.
    if (await isAncestor(r.dir, tip, sha)) {
      await gitOk(r.dir, ['worktree', 'add', '--force', '--detach', scratch, sha]);
      await recordWorktree(dirname(scratch), scratch, ''); // the landing check's git binds come from it
      return ready(scratch, tip, sha);
    }
    const rebase = input.strategy === 'rebase';
    await gitOk(r.dir, ['worktree', 'add', '--force', '--detach', scratch, rebase ? sha : tip]);
    await recordWorktree(dirname(scratch), scratch, ''); // before any check ran in it: its git binds come from it
    const message = `Land ${input.branch} on ${input.target}\n\nnightshift job ${input.jobId}`;
    const step = rebase
      ? await git(scratch, [...NO_HOOKS, 'rebase', tip])
      : await git(scratch, [...NO_HOOKS, 'merge', '--no-ff', '--no-edit', '-m', message, sha]);
    if (step.exitCode !== 0) return conflict(r, scratch, tip, rebase);
    return ready(scratch, tip, (await gitOk(scratch, ['rev-parse', 'HEAD'])).trim());
  });
}

/** Markers a resolver left behind are a conflict still, not something to land. */
async function ready(scratch: string, tip: string, result: string): Promise<LandPrepared> {
  const check = await git(scratch, ['diff', '--check', tip, result]);
  if (check.stdout.includes('leftover conflict marker')) {
    const files = [
      ...new Set(check.stdout.split('\n').flatMap((l) => (/^([^:\s][^:]*):\d+: leftover/.exec(l) ?? []).slice(1))),
    ];
    return { kind: 'conflict', tip, files };
  }
  return { kind: 'ready', scratch, tip, result };
}

/** The unmerged paths, then the rebase or merge undone and the scratch worktree gone. */
async function conflict(r: LandRepo, scratch: string, tip: string, rebase: boolean): Promise<LandPrepared> {
  const out = await git(scratch, ['diff', '--name-only', '--diff-filter=U']);
  const files = out.stdout.split('\n').filter(Boolean).sort();
  await git(scratch, [rebase ? 'rebase' : 'merge', '--abort']);
  await removeScratchIn(r.dir, scratch);
  if (files.length === 0) throw landFailed(`could not put the work on ${tip}: ${out.stderr.trim()}`);
  return { kind: 'conflict', tip, files };
}

/** Drops a scratch worktree (registered or not); `add --force` takes over a registration left without its dir. */
export async function removeScratchIn(dir: string, scratch: string): Promise<void> {
  await git(dir, ['worktree', 'remove', '--force', scratch]);
  if (existsSync(scratch)) await rm(scratch, { recursive: true, force: true });
  await rm(`${scratch}.setup`, { recursive: true, force: true }); // its setup record: a new scratch is set up again
}

/** The activity: the repo a scratch worktree belongs to, from its record (its `.git` file is the check's to rewrite). */
export async function removeScratch(scratch: string): Promise<void> {
  if (!existsSync(scratch)) return;
  const rec = await readRecord(dirname(scratch));
  const common =
    rec && resolve(rec.workTree) === resolve(scratch)
      ? rec.commonDir
      : (await git(scratch, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).stdout.trim();
  if (common) await removeScratchIn(common, scratch);
  else await rm(scratch, { recursive: true, force: true });
}
