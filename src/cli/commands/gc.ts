// `nightshift gc [--older-than 7d] [--dry-run] [--branches [--unlanded]] [--json]`: clears this host's stale worktrees
// and job dirs; deletes branches only when asked, and one with unlanded work only when asked explicitly.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { addressOf } from '../../client/connect.js';
import { UsageError } from '../../support/usage-error.js';
import { describeAction, formatBytes, type GcAction, type GcOptions } from '../../workspace/gc.js';
import { applyGc, type GcApplied, type GcResult } from '../../workspace/gc-apply.js';
import { planGc } from '../../workspace/gc-plan.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';

export const OPTIONS = {
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean' },
  branches: { type: 'boolean' },
  unlanded: { type: 'boolean' },
} as const;

export async function gc(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`gc: unexpected argument "${positionals[0] ?? ''}"`);
  const olderThan = v['older-than'] ?? '7d';
  const olderThanMs = parseAge(olderThan);
  if (v.unlanded && !v.branches) throw new UsageError('--unlanded: only together with --branches');
  const temporal = runningCheck(ctx);
  const { dataDir } = ctx.config;
  const opts: GcOptions = { dataDir, olderThanMs, now: Date.now(), branches: !!v.branches, unlanded: !!v.unlanded };
  const plan = await planGc({ ...opts, isRunning: temporal.isRunning });
  const dryRun = !!v['dry-run'];
  const print = (r: GcResult): void => {
    if (!v.json) process.stdout.write(`${describeAction(r.action)}\n`);
    if (r.error) process.stderr.write(`nightshift: ${describeAction(r.action)}: ${r.error}\n`);
  };
  const { results, freedBytes }: GcApplied = dryRun
    ? { results: plan.actions.map((action) => ({ action })), freedBytes: plan.bytes }
    : await applyGc(plan, print);
  if (dryRun) results.forEach(print);
  const done = results.filter((r) => !r.error).map((r) => r.action);
  const counts = countOf(done);
  if (v.json) {
    const actions = results.map((r) => ({ ...r.action, line: describeAction(r.action), error: r.error }));
    printJson({ dryRun, dataDir, olderThan, temporal: temporal.state(), actions, counts, freedBytes });
  } else process.stdout.write(`${summary(counts, freedBytes, dryRun)}\n`);
  return results.some((r) => r.error) ? EXIT.failed : 0;
}

/** `30m`, `12h`, `7d`, `2w`, `90s`, or `0` (everything). */
export function parseAge(text: string): number {
  if (text.trim() === '0') return 0;
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!m) throw new UsageError(`--older-than: expected an age like 30m, 12h, 7d or 0, got "${text}"`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/** Asks Temporal whether a job runs (its workflow id is the job id); unreachable, one warning and age alone. */
function runningCheck(ctx: CliContext): { isRunning: (jobId: string) => Promise<boolean>; state: () => string } {
  let state = 'not needed';
  let client: Promise<Client | undefined> | undefined;
  const unreachable = (): undefined => {
    if (state !== 'unreachable') {
      const address = addressOf(ctx.config);
      process.stderr.write(
        `nightshift: warning: cannot reach the Temporal server at ${address}: running jobs are not checked, age alone decides\n`,
      );
    }
    state = 'unreachable';
    client = Promise.resolve(undefined);
    return undefined;
  };
  const isRunning = async (jobId: string): Promise<boolean> => {
    client ??= ctx.client().then((c) => ((state = 'checked'), c), unreachable);
    const c = await client;
    if (!c) return false;
    try {
      return (await c.workflow.getHandle(jobId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) unreachable();
      return false;
    }
  };
  return { isRunning, state: () => state };
}

type Counts = Record<GcAction['kind'], number>;

function countOf(actions: GcAction[]): Counts {
  const counts: Counts = {
    commit: 0,
    'remove-worktree': 0,
    'delete-job-dir': 0,
    skip: 0,
    prune: 0,
    'delete-branch': 0,
    'keep-branch': 0,
  };
  for (const a of actions) counts[a.kind]++;
  return counts;
}

/** The counts that are not zero, e.g. `2 worktrees removed, 1 leftover commit; 1.2 MB freed`. */
function summary(c: Counts, bytes: number, dryRun: boolean): string {
  const n = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  const parts: [number, string][] = [
    [c['remove-worktree'], `${n(c['remove-worktree'], 'worktree', 'worktrees')} ${dryRun ? 'to remove' : 'removed'}`],
    [c.commit, n(c.commit, 'leftover commit', 'leftover commits')],
    [c['delete-job-dir'], `${n(c['delete-job-dir'], 'job dir', 'job dirs')} ${dryRun ? 'to delete' : 'deleted'}`],
    [c['delete-branch'], `${n(c['delete-branch'], 'branch', 'branches')} ${dryRun ? 'to delete' : 'deleted'}`],
    [c['keep-branch'], `${n(c['keep-branch'], 'unlanded branch', 'unlanded branches')} kept`],
    [c.skip, `${c.skip} skipped`],
  ];
  const said = parts.filter(([count]) => count > 0).map(([, text]) => text);
  const freed = `${formatBytes(bytes)} ${dryRun ? 'would be freed' : 'freed'}`;
  return `${dryRun ? 'dry run, nothing changed: ' : ''}${said.join(', ') || 'nothing to collect'}; ${freed}`;
}
