// A landing's last step: the target moves from the tip the check ran on to the landed result, or not at all.
import type { Config } from '../config/schema.js';
import type { LandAdvanced, LandAdvanceInput } from '../protocol/land.js';
import { git, gitOk } from './git.js';
import { remoteGitOk } from './git-remote.js';
import { commitOf, landFailed, withLandRepo, type LandRepo } from './land-repo.js';
import { removeScratchIn } from './land-prepare.js';

/**
 * Idempotent: a retry that finds the target at the result reports it landed, so a worker killed mid-landing
 * never moves the target twice. A target that moved elsewhere meanwhile is `moved` (the queue lands again).
 */
export async function advanceTarget(input: LandAdvanceInput, config: Config): Promise<LandAdvanced> {
  return withLandRepo(config, input.repo, input.target, async (r) => {
    const now = await commitOf(r, r.targetRef, 'target');
    if (now === input.result) return done(r, input);
    if (now !== input.tip) return { kind: 'moved', now };
    if (r.url) await push(r, input);
    else await moveLocal(r, input);
    return done(r, input);
  });
}

async function done(r: LandRepo, input: LandAdvanceInput): Promise<LandAdvanced> {
  await removeScratchIn(r.dir, input.scratch);
  // A rebased landing left the job's branch on its old commit: it follows, unless a worktree has it checked out.
  if (input.branch && !(await checkoutOf(r.dir, input.branch)))
    await git(r.dir, ['update-ref', `refs/heads/${input.branch}`, input.result]);
  return { kind: 'landed', commit: input.result };
}

/** A fast-forward push: the origin refuses it when its branch moved, and a fetch tells where. */
async function push(r: LandRepo, input: LandAdvanceInput): Promise<void> {
  const url = r.url ?? '';
  const out = await git(r.dir, ['push', '--quiet', 'origin', `${input.result}:refs/heads/${input.target}`]);
  if (out.exitCode === 0) {
    await gitOk(r.dir, ['update-ref', r.targetRef, input.result]);
    return;
  }
  await remoteGitOk(r.dir, ['fetch', '--quiet', 'origin'], url, 'cannot fetch');
  if ((await commitOf(r, r.targetRef, 'target')) !== input.result)
    throw landFailed(`the origin refused ${input.target}: ${out.stderr.trim()}`);
}

/**
 * A target checked out in a worktree (the user's own checkout) moves by a fast-forward merge there, so its files
 * follow; git refuses when local changes would be overwritten, and so does the landing. Else a compare-and-swap.
 */
async function moveLocal(r: LandRepo, input: LandAdvanceInput): Promise<void> {
  const checkout = await checkoutOf(r.dir, input.target);
  if (!checkout) {
    await gitOk(r.dir, ['update-ref', r.targetRef, input.result, input.tip]);
    return;
  }
  const out = await git(checkout, ['-c', 'core.hooksPath=/dev/null', 'merge', '--ff-only', '--quiet', input.result]);
  if (out.exitCode !== 0)
    throw landFailed(`${input.target} is checked out in ${checkout} and git refused to move it: ${out.stderr.trim()}`);
}

/** The worktree that has `branch` checked out, if any. */
async function checkoutOf(dir: string, branch: string): Promise<string | undefined> {
  const list = await gitOk(dir, ['worktree', 'list', '--porcelain']);
  for (const block of list.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice('worktree '.length);
    if (path && lines.includes(`branch refs/heads/${branch}`)) return path;
  }
  return undefined;
}
