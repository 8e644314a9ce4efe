// `nightshift diff <job-id> [--stat]`: the job's committed work, as git shows it, from the repo that holds it.
import { execa } from 'execa';
import { jobCommitRef, showArgs } from '../../client/job-diff.js';
import { UsageError } from '../../support/usage-error.js';
import { parse } from '../args.js';
import type { CliContext } from '../context.js';

export async function diff(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { stat: { type: 'boolean' } });
  const id = positionals[0];
  if (!id) throw new UsageError('job id: missing (e.g. `nightshift diff job-1a2b3c4d`)');
  const ref = await jobCommitRef(await ctx.client(), ctx.config, id);
  const r = await execa('git', showArgs(ref, Boolean(v.stat)), {
    cwd: ref.repo,
    reject: false,
    stdout: 'inherit',
    stderr: 'inherit',
    stdin: 'ignore',
  });
  return r.exitCode === 0 ? 0 : 1;
}
