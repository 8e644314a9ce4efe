// The MCP tools that hand work to the fleet and read it back: submit, status, wait (bounded), result, cancel.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { liveDetails } from '../client/job-live.js';
import { cancelJob, jobOutcome, jobProgress } from '../client/jobs.js';
import { submitJob } from '../client/submit-job.js';
import { applySubmitPolicy } from '../client/submit-policy.js';
import { LANES, type Lane } from '../protocol/job.js';
import { UsageError } from '../support/usage-error.js';
import { ledgerRouting, resolveRoutedSpec } from '../client/auto-route.js';
import type { JobResult } from '../protocol/result.js';
import type { McpDeps } from './deps.js';
import { answer } from './answer.js';

const jobId = z.string().regex(/^job-[a-z0-9-]{1,60}$/, 'a job id (job-…)');

/** What a caller acts on: no workspace paths or timelines, the final text, files, commit and check. */
function resultOf(r: JobResult) {
  return {
    jobId: r.jobId,
    status: r.status,
    backend: r.backend,
    finalText: r.finalText,
    filesChanged: r.filesChanged,
    ...(r.commit ? { branch: r.commit.branch, commit: r.commit.sha } : {}),
    ...(r.check
      ? { check: { passed: r.check.passed, exitCode: r.check.exitCode, outputTail: r.check.outputTail } }
      : {}),
    ...(r.failureClass ? { failureClass: r.failureClass, failureMessage: r.failureMessage } : {}),
    tokens: r.tokens,
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
  };
}

interface SubmitArgs {
  task: string;
  kind?: string | undefined;
  backend?: string | undefined;
  repo?: string | undefined;
  check?: string[] | undefined;
  lane?: Lane | undefined;
}

/** An agent's job: the configured lane and caps (`mcp`), `auto` resolved from the ledger, its caller as parent. */
async function submitFromAgent(a: SubmitArgs, { client, config, ledger, parentJobId }: McpDeps) {
  const lane = a.lane ?? config.mcp.lane;
  if (!config.mcp.lanes.includes(lane))
    throw new UsageError(`lane: "${lane}" is not open to agents (mcp.lanes: ${config.mcp.lanes.join(', ')})`);
  const raw: Record<string, unknown> = {
    prompt: a.task,
    ...(a.kind ? { kind: a.kind } : {}),
    ...(a.backend ? { backend: a.backend } : {}),
    ...(a.repo ? { repo: a.repo } : { workspace: 'none' }),
    ...(a.check ? { check: a.check } : {}),
    ...(config.mcp.maxTokens ? { maxTokens: config.mcp.maxTokens } : {}),
    ...(config.mcp.maxCostUsd ? { maxCostUsd: config.mcp.maxCostUsd } : {}),
    lane,
  };
  // An agent is a submitter: no in-place, only repoRoots; the operator lane only where mcp.lanes lists it.
  const allowed = applySubmitPolicy(raw, config, { via: 'MCP', operator: config.mcp.lanes.includes('operator') });
  const spec = await resolveRoutedSpec(
    allowed as Record<string, unknown>,
    config,
    async () => client,
    ledgerRouting(ledger),
  );
  if (parentJobId) spec.parentJobId = parentJobId; // a job's agent hands work on: the tree is in the specs
  await submitJob(client, config, spec);
  return {
    jobId: spec.jobId,
    backend: spec.backend,
    lane: spec.lane,
    ...(spec.route ? { route: spec.route.reason } : {}),
  };
}

export function registerJobTools(server: McpServer, deps: McpDeps): void {
  const { client } = deps;
  server.registerTool(
    'nightshift_submit',
    {
      description:
        'Submit a job to the nightshift fleet; returns its job id at once. It waits for a lease like any job.',
      inputSchema: {
        task: z.string().min(1).describe('what the agent should do (the prompt)'),
        kind: z.string().min(1).optional().describe('job kind: llm, coding-agent, …'),
        backend: z
          .string()
          .min(1)
          .optional()
          .describe('claude, codex, opencode, gemini, aider, llm, command, or auto (chosen from measured outcomes)'),
        repo: z.string().min(1).optional().describe('a local path or git URL (default: no workspace)'),
        check: z.array(z.string().min(1)).min(1).optional().describe('a check command as argv, e.g. ["npm","test"]'),
        lane: z.enum(LANES).optional().describe('default: the configured MCP lane (background)'),
      },
    },
    async (a) => answer(async () => submitFromAgent(a, deps)),
  );

  server.registerTool(
    'nightshift_status',
    { description: "A job's step, status and live agent counts", inputSchema: { jobId } },
    async ({ jobId: id }) =>
      answer(async () => {
        const [p, live] = await Promise.all([jobProgress(client, id), liveDetails(client, id)]);
        return { jobId: id, status: p.status, step: p.step, backend: p.backend, lane: p.lane, live };
      }),
  );

  server.registerTool(
    'nightshift_wait',
    {
      description: 'Wait for a job to end, at most timeoutSeconds (default 60, max 600); then its result or its status',
      inputSchema: { jobId, timeoutSeconds: z.number().int().min(1).max(600).optional() },
    },
    async ({ jobId: id, timeoutSeconds }) =>
      answer(async () => {
        // The result's long-poll is aborted at the deadline: a bounded wait leaves no call behind.
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), (timeoutSeconds ?? 60) * 1000);
        const ended = await client
          .withAbortSignal(abort.signal, () => jobOutcome(client, id))
          .finally(() => clearTimeout(timer));
        if (ended.result) return { ended: true, result: resultOf(ended.result) };
        const p = await jobProgress(client, id);
        return { ended: p.result !== undefined, status: p.status, step: p.step };
      }),
  );

  server.registerTool(
    'nightshift_result',
    { description: "A finished job's result: final text, files, branch and commit, check", inputSchema: { jobId } },
    async ({ jobId: id }) =>
      answer(async () => {
        const p = await jobProgress(client, id);
        if (!p.result) return { ended: false, status: p.status, step: p.step };
        return { ended: true, result: resultOf(p.result) };
      }),
  );

  server.registerTool(
    'nightshift_cancel',
    { description: 'Cancel a running job (its agent is stopped, its lease released)', inputSchema: { jobId } },
    async ({ jobId: id }) =>
      answer(async () => {
        await cancelJob(client, id);
        return { jobId: id, cancelRequested: true };
      }),
  );
}
