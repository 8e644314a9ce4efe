// status, list, cancel, capacity: read or steer jobs that already exist.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { cancelJob, capacityView, jobOutcome, jobProgress } from '../../client/jobs.js';
import { ACTIVITY } from '../../protocol/activities.js';
import { SA } from '../../protocol/search-attributes.js';
import { UsageError } from '../../support/usage-error.js';
import { intFlag, parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { printCapacity, printProgress } from '../format.js';
import { WORKFLOW } from '../../protocol/workflow-types.js';

function jobIdArg(positionals: string[]): string {
  const id = positionals[0];
  if (!id) throw new UsageError('job id: missing (e.g. `nightshift status job-1a2b3c4d`)');
  return id;
}

async function notFoundAsUsage<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`job id: no job "${id}"`);
    throw err;
  }
}

export async function status(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, {});
  const id = jobIdArg(positionals);
  const client = await ctx.client();
  const progress = await notFoundAsUsage(id, () => jobProgress(client, id));
  const described = await client.workflow.getHandle(id).describe();
  const live = await liveDetails(client, described);
  if (!progress.result && described.status.name !== 'RUNNING') {
    const { result } = await jobOutcome(client, id);
    if (result) progress.result = result;
  }
  if (values.json) printJson({ ...progress, workflowStatus: described.status.name, live });
  else printProgress(progress, live);
  return 0;
}

/** Heartbeat details of the running agent activity: attempt, turns, tool calls, tokens so far. */
async function liveDetails(client: Client, described: WorkflowExecutionDescription): Promise<unknown> {
  const agent = described.raw.pendingActivities?.find((a) => a.activityType?.name === ACTIVITY.runAgent);
  const [first] = agent?.heartbeatDetails?.payloads ?? [];
  return first ? client.options.loadedDataConverter.payloadConverter.fromPayload(first) : undefined;
}

export async function list(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, { status: { type: 'string' }, limit: { type: 'string' } });
  const limit = intFlag('limit', values.limit) ?? 20;
  const client = await ctx.client();
  const clauses = [`WorkflowType = '${WORKFLOW.job}'`, `TaskQueue = '${ctx.config.temporal.taskQueue}'`];
  if (values.status) clauses.push(`${SA.status.name} = '${values.status.replace(/'/g, '')}'`);
  const rows: Record<string, unknown>[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    const sa = wf.typedSearchAttributes;
    rows.push({
      jobId: wf.workflowId,
      status: sa.get(SA.status),
      backend: sa.get(SA.backend),
      kind: sa.get(SA.kind),
      lane: sa.get(SA.lane),
      startTime: wf.startTime.toISOString(),
    });
    if (rows.length >= limit) break;
  }
  if (values.json) printJson(rows);
  else
    for (const r of rows)
      process.stdout.write(
        `${String(r['jobId']).padEnd(14)} ${String(r['status']).padEnd(10)} ${String(r['backend']).padEnd(8)} ${String(r['kind']).padEnd(15)} ${String(r['lane']).padEnd(12)} ${String(r['startTime'])}\n`,
      );
  return 0;
}

export async function cancel(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, {});
  const id = jobIdArg(positionals);
  await cancelJob(await ctx.client(), id); // refuses engine workflows and finished jobs (exit 2)
  if (values.json) printJson({ jobId: id, cancelRequested: true });
  else process.stdout.write(`${id}: cancel requested\n`);
  return 0;
}

export async function capacity(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, {});
  const view = await capacityView(await ctx.client(), ctx.config);
  if (values.json) printJson(view);
  else printCapacity(view);
  return 0;
}
