// `nightshift history <job>`: a readable timeline read from the job's Temporal history.
import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { isNotFound } from '../../client/not-found.js';
import { resolveJobId } from '../../client/scheduled-runs.js';
import { timeline } from '../../client/job-timeline.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { printLanding } from '../format.js';
import { landingOf } from './landing.js';

export async function history(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, { export: { type: 'string' } });
  const given = positionals[0];
  if (!given) throw new UsageError('job id: missing (e.g. `nightshift history job-1a2b3c4d`)');
  const client = await ctx.client();
  const { jobId: id, runId } = await resolveJobId(client, given); // a schedule run's id means the job it started
  if (runId) process.stderr.write(`nightshift: ${runId} is a schedule run; showing its job ${id}\n`);
  const raw = await fetchJobHistory(client, id);
  if (values.export) return exportHistory(id, raw, values.export, Boolean(values.json));
  const entries = timeline(raw.events ?? []);
  const ui = ctx.config.temporal.address
    ? undefined
    : `http://127.0.0.1:${ctx.config.temporal.devUiPort}/namespaces/${ctx.config.temporal.namespace}/workflows/${id}`;
  // The landing happens after the job, in its merge queue's workflow: the ledger holds its outcome.
  const landing = entries.some((e) => e.what.startsWith('committed ')) ? await landingOf(ctx, id) : undefined;
  if (values.json) printJson({ jobId: id, ...(ui ? { ui } : {}), timeline: entries, ...(landing ? { landing } : {}) });
  else {
    for (const e of entries) process.stdout.write(`${e.at}  +${e.offsetSeconds.toFixed(1).padStart(6)}s  ${e.what}\n`);
    if (landing) printLanding(landing);
    if (ui) process.stdout.write(`Temporal UI: ${ui}\n`);
  }
  return 0;
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

async function fetchJobHistory(client: Client, id: string): Promise<History> {
  try {
    return await client.workflow.getHandle(id).fetchHistory();
  } catch (err) {
    if (isNotFound(err)) throw new UsageError(`job id: no job "${id}"`);
    throw err;
  }
}

/** `--export FILE`: the Temporal history itself (the JSON `replay` takes), not the timeline. */
function exportHistory(id: string, raw: History, file: string, json: boolean): number {
  writeFileSync(file, historyToJSON(raw) + '\n');
  if (json) printJson({ jobId: id, file, events: raw.events?.length ?? 0 });
  else process.stdout.write(`${id}: history written to ${file} (check it with \`nightshift replay ${file}\`)\n`);
  return 0;
}
