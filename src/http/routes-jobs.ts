// /api/jobs: submit (the same spec as `nightshift submit`), list, read one (result, live progress, timeline,
// diff), cancel. Bad input is a 400 naming the field before anything starts.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ledgerRouting, resolveRoutedSpec } from '../client/auto-route.js';
import { jobDiffText } from '../client/job-diff.js';
import { JobInputSchema } from '../client/job-input.js';
import { liveDetails } from '../client/job-live.js';
import { timeline } from '../client/job-timeline.js';
import { cancelJob, jobOutcome, jobProgress, jobPrompt } from '../client/jobs.js';
import { listJobs } from '../client/list-jobs.js';
import { submitJob } from '../client/submit-job.js';
import { applySubmitPolicy } from '../client/submit-policy.js';
import { parseSince } from '../ledger/stats.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import type { HttpDeps } from './deps.js';
import { badInput, notFound } from './errors.js';
import { requestScope } from './guard.js';

const ListQuery = z.strictObject({
  status: z.string().optional(),
  backend: z.string().optional(),
  kind: z.string().optional(),
  lane: z.string().optional(),
  since: z.string().optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** `7d` (ago) or an ISO time → epoch ms; a 400 naming `since` otherwise. */
function sinceOf(text: string): number {
  const ago = parseSince(text);
  if (ago !== undefined) return Date.now() - ago;
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw badInput(
      new z.ZodError([{ code: 'custom', path: ['since'], message: 'a duration like 7d or an ISO time', input: text }]),
      { since: text },
    );
  return at;
}

const idParam = (params: unknown): string => (params as { id: string }).id;

export function registerJobRoutes(app: FastifyInstance, { client, config, ledger }: HttpDeps): void {
  const routing = ledgerRouting(ledger);
  // What a `submit` token may do: submit, and read or cancel a job by its id (not list every job).
  const submitter = { config: { scope: 'submit' as const } };
  app.post('/api/jobs', submitter, async (req, reply) => {
    const parsed = JobInputSchema.safeParse(req.body);
    if (!parsed.success) throw badInput(parsed.error, req.body);
    // A caller of the API is a submitter, whatever its scope: no in-place, only repoRoots; the lane by scope.
    const operator = requestScope(req) === 'operator';
    const body = applySubmitPolicy(req.body, config, { via: 'the HTTP API', operator }) as Record<string, unknown>;
    // `auto`: the ledger's figures choose the backend; a UsageError (unknown kind, backend…) → 400 naming it.
    const spec = await resolveRoutedSpec(body, config, async () => client, routing);
    await submitJob(client, config, spec);
    return reply.code(201).send({ jobId: spec.jobId, ...(spec.route ? { route: spec.route } : {}) });
  });

  app.get('/api/jobs', async (req) => {
    const parsed = ListQuery.safeParse(req.query);
    if (!parsed.success) throw badInput(parsed.error, req.query);
    const q = parsed.data;
    const { rows, more } = await listJobs(client, config, {
      ...(q.status ? { status: q.status } : {}),
      ...(q.backend ? { backend: q.backend } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.lane ? { lane: q.lane } : {}),
      ...(q.since ? { since: sinceOf(q.since) } : {}),
      ...(q.before ? { before: Date.parse(q.before) } : {}),
      limit: q.limit,
    });
    return { jobs: rows, ...(more && rows.length ? { next: rows[rows.length - 1]!.startTime } : {}) };
  });

  app.get('/api/jobs/:id', submitter, async (req) => {
    const id = idParam(req.params);
    const described = await client.workflow
      .getHandle(id)
      .describe()
      .catch((err: unknown) => {
        throw err instanceof WorkflowNotFoundError ? notFound('job', id) : err;
      });
    if (described.type !== WORKFLOW.job) throw notFound('job', id);
    const running = described.status.name === 'RUNNING';
    const [progress, live, prompt] = await Promise.all([
      jobProgress(client, id),
      running ? liveDetails(client, id) : undefined,
      jobPrompt(client, id),
    ]);
    const result = progress.result ?? (running ? undefined : (await jobOutcome(client, id)).result);
    return { jobId: id, workflowStatus: described.status.name, progress, live, prompt, result };
  });

  app.get('/api/jobs/:id/history', submitter, async (req) => {
    const id = idParam(req.params);
    const history = await client.workflow.getHandle(id).fetchHistory(); // NOT_FOUND → 404 (errors.ts)
    return { jobId: id, timeline: timeline(history.events ?? []) };
  });

  app.get('/api/jobs/:id/diff', submitter, async (req) => ({
    jobId: idParam(req.params),
    diff: await jobDiffText(client, config, idParam(req.params)),
  }));

  app.post('/api/jobs/:id/cancel', submitter, async (req, reply) => {
    const id = idParam(req.params);
    await cancelJob(client, id); // unknown → 404, finished → 409, not a job → 400 (errors.ts)
    return reply.code(202).send({ jobId: id, cancelRequested: true });
  });
}
