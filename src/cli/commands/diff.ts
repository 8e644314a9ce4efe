// `nightshift diff <job-id> [--stat]`: the job's committed work, as git shows it, from the repo that holds it.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { jobOutcome, jobSpecOf } from '../../client/jobs.js';
import { isRepoUrl } from '../../protocol/repo.js';
import { UsageError } from '../../support/usage-error.js';
import { mirrorDir } from '../../workspace/mirror.js';
import { parse } from '../args.js';
import type { CliContext } from '../context.js';

export async function diff(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { stat: { type: 'boolean' } });
  const id = positionals[0];
  if (!id) throw new UsageError('job id: missing (e.g. `nightshift diff job-1a2b3c4d`)');
  const client = await ctx.client();
  const spec = await jobSpecOf(client, id).catch(() => undefined);
  if (spec?.jobId !== id) throw new UsageError(`job id: no job "${id}"`);
  const { result, error } = await jobOutcome(client, id);
  if (!result) throw new UsageError(`job id: ${id} has no result yet (${error?.message ?? 'running'})`);
  if (!result.commit) {
    const why =
      result.commitError ?? (result.filesChanged.length ? 'its workspace is not a git worktree' : 'it changed nothing');
    throw new UsageError(`job id: ${id} has no commit: ${why}`);
  }
  // A URL repo's branch lives in this host's mirror (or on the origin, when it was pushed).
  const repo = isRepoUrl(spec.repoPath) ? mirrorDir(ctx.config.dataDir, spec.repoPath) : spec.repoPath;
  if (!existsSync(repo))
    throw new UsageError(
      `job id: ${id}'s repo is not on this host (${repo}); ${result.pushed ? `fetch ${result.pushed.branch} from its origin` : `its host is ${result.host ?? 'unknown'}`}`,
    );
  const args = [
    'show',
    v.stat ? '--stat' : '--patch-with-stat',
    '--format=commit %H%nbranch ' + result.commit.branch + '%n%n    %s%n',
    result.commit.sha,
  ];
  const r = await execa('git', args, {
    cwd: repo,
    reject: false,
    stdout: 'inherit',
    stderr: 'inherit',
    stdin: 'ignore',
  });
  return r.exitCode === 0 ? 0 : 1;
}
