// status, list, cancel, capacity: read or steer jobs that already exist.
import { WorkflowNotFoundError } from '@temporalio/client';
import { cancelJob, capacityView, jobOutcome, jobProgress, jobPrompt } from '../../client/jobs.js';
import { resolveJobId } from '../../client/scheduled-runs.js';
import { liveDetails, runningPerHost } from '../../client/job-live.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { printCapacity, printLanding, printProgress } from '../format.js';
import { landingOf } from './landing.js';
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
  const client = await ctx.client();
  const { jobId: id, runId } = await resolveJobId(client, jobIdArg(positionals)); // a schedule run means its job
  if (runId) process.stderr.write(`nightshift: ${runId} is a schedule run; showing its job ${id}\n`);
  const described = await notFoundAsUsage(id, () => client.workflow.getHandle(id).describe());
  if (described.type !== WORKFLOW.job) throw new UsageError(`job id: "${id}" is ${kindOf(described.type)}`);
  const progress = await jobProgress(client, id);
  const live = await liveDetails(client, id);
  if (!progress.result && described.status.name !== 'RUNNING') {
    const { result } = await jobOutcome(client, id);
    if (result) progress.result = result;
  }
  const landing = progress.result?.commit ? await landingOf(ctx, id) : undefined;
  if (values.json) printJson({ ...progress, workflowStatus: described.status.name, live, landing });
  else {
    printProgress(progress, live, await jobPrompt(client, id));
    if (landing) printLanding(landing);
  }
  return 0;
}

/** What an id that is not a job is, and the command that reads it. */
function kindOf(type: string): string {
  const known: Record<string, string> = {
    [WORKFLOW.chain]: 'a chain: `nightshift chain status <id>`',
    [WORKFLOW.compare]: 'a compare: `nightshift compare status <id>`',
    [WORKFLOW.session]: 'a warm session: `nightshift sessions`',
    [WORKFLOW.capacity]: 'the capacity singleton: `nightshift capacity`',
    [WORKFLOW.notify]: 'a notification’s delivery (webhooks, `notify` in the config)',
    [WORKFLOW.digest]: 'a daily digest run (`notify.digest` in the config)',
  };
  return known[type] ?? `a ${type}, not a job`;
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
  const client = await ctx.client();
  const view = await capacityView(client, ctx.config);
  const hosts = await runningPerHost(
    client,
    view.holders.map((h) => h.jobId),
  );
  if (values.json) printJson({ ...view, runningPerHost: hosts });
  else printCapacity(view, hosts);
  return 0;
}
