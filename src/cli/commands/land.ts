// `nightshift land <job-id>... [--onto B] [--resolve BACKEND] [--wait]` and `nightshift land --status`.
import { setTimeout as sleep } from 'node:timers/promises';
import { landJobs, landQueues, type Queued } from '../../client/land.js';
import type { LandEntry, LandView } from '../../protocol/land.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

const OPTIONS = {
  onto: { type: 'string' },
  resolve: { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  status: { type: 'boolean' },
} as const;
const ENDED = new Set(['landed', 'conflict', 'check-failed', 'failed']);
const out = (line = ''): boolean => process.stdout.write(line + '\n');

export async function land(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals: ids } = parse(argv, OPTIONS);
  const client = await ctx.client();
  if (v.status) {
    const views = await landQueues(client, ctx.config);
    if (v.json) printJson(views);
    else printQueues(views);
    return 0;
  }
  const ask = { ...(v.onto ? { onto: v.onto } : {}), ...(v.resolve ? { resolve: v.resolve } : {}) };
  const queued = await landJobs(client, ctx.config, ids, ask); // every id checked before any is queued
  if (!v.wait) {
    if (v.json) printJson(queued);
    else for (const q of queued) out(`${q.jobId}  queued to land on ${q.target} (${q.landId})`);
    return 0;
  }
  const ended = await waitForLandings(ctx, queued);
  if (v.json) printJson(ended);
  else for (const e of ended) out(entryLine(e));
  return ended.every((e) => e.state === 'landed') ? 0 : 1;
}

/** Polls the queues until every queued job's landing ended. */
async function waitForLandings(ctx: CliContext, queued: Queued[]): Promise<LandEntry[]> {
  const client = await ctx.client();
  for (;;) {
    const views = await landQueues(client, ctx.config);
    const found = queued.map((q) =>
      views.find((v) => v.landId === q.landId)?.done.find((e) => e.jobId === q.jobId && e.queuedAt === q.requestedAt),
    );
    if (found.every((e) => e && ENDED.has(e.state))) return found as LandEntry[];
    await sleep(1000);
  }
}

function entryLine(e: LandEntry): string {
  const commit = e.commit ? ` @ ${e.commit.slice(0, 12)}` : '';
  const files = e.files?.length ? `  conflicts: ${e.files.join(', ')}` : '';
  const resolver = e.resolverJobId ? `  resolver ${e.resolverJobId}` : '';
  const took = e.startedAt && e.finishedAt ? `  ${((e.finishedAt - e.startedAt) / 1000).toFixed(1)}s` : '';
  const output =
    e.output && e.state !== 'landed' ? `\n    ${e.output.trim().split('\n').slice(-5).join('\n    ')}` : '';
  return `${e.jobId}  ${e.state}${commit}${took}${files}${resolver}${output}`;
}

function printQueues(views: LandView[]): void {
  if (views.length === 0) out('no merge queue ran in the last day');
  for (const v of views) {
    out(`${v.landId}  ${v.repo} → ${v.target} (${v.strategy})`);
    if (v.current) out(`  now      ${v.current.jobId} ${v.current.state}`);
    for (const e of v.queue) out(`  waiting  ${e.jobId}`);
    for (const e of v.done.slice(-20)) out(`  ${entryLine(e)}`);
  }
}
