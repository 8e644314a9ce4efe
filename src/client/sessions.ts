// Client side of warm sessions: submit a job to a session (signal-with-start), wait for it, list, close.
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { JobSpec } from '../protocol/job.js';
import { isRepoUrl } from '../protocol/repo.js';
import { UsageError } from '../support/usage-error.js';
import type { sessionWorkflow } from '../workflows/session/workflow.js';
import { SESSION_NAME, sessionWorkflowId } from '../protocol/ids.js';
import { sessionCloseSignal, sessionJobQuery, sessionSubmitSignal, sessionViewQuery } from '../protocol/signals.js';
import type { SessionJobRecord, SessionSettings, SessionView } from '../protocol/session.js';
import { resolveJobSpec } from './job-input.js';
import { jobOutcome } from './jobs.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

export function sessionSettings(config: Config): SessionSettings {
  return { idleMinutes: config.sessions.idleMinutes, continueAsNewEvents: config.sessions.continueAsNewEvents };
}

export function checkSessionName(name: string): string {
  if (!SESSION_NAME.test(name)) {
    throw new UsageError(
      `--session: "${name}" is not a session name (lowercase letters, digits and dashes, at most 48, e.g. inbox-triage)`,
    );
  }
  return name;
}

const handleOf = (client: Client, config: Config, name: string): WorkflowHandle<typeof sessionWorkflow> =>
  client.workflow.getHandle<typeof sessionWorkflow>(sessionWorkflowId(name, config.temporal.taskQueue));

/** The open session's view; undefined when it has never started or has closed. */
export async function openSession(client: Client, config: Config, name: string): Promise<SessionView | undefined> {
  const handle = handleOf(client, config, name);
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
    return await handle.query(sessionViewQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Resolves the job against the session (its backend, repo and workspace are fixed by its first job) and
 * delivers it by signal-with-start: the session is created on first use. Usage errors start nothing.
 */
export async function submitToSession(
  client: Client,
  config: Config,
  name: string,
  raw: Record<string, unknown>,
  cwd = process.cwd(),
): Promise<JobSpec> {
  checkSessionName(name);
  if (raw['resumeSessionId'] !== undefined)
    throw new UsageError(
      `--resume: a session resumes its own agent session; use either --resume or --session "${name}"`,
    );
  const view = await openSession(client, config, name);
  const backend = raw['backend'];
  if (view?.backend && backend !== undefined && backend !== view.backend) {
    throw new UsageError(
      `--backend: session "${name}" runs on ${view.backend}; a job naming "${String(backend)}" cannot join it`,
    );
  }
  const repo = raw['repo'];
  // A URL is the repo as given; a path is compared resolved.
  const given = typeof repo === 'string' ? (isRepoUrl(repo) ? repo : resolve(cwd, repo)) : undefined;
  if (view?.repoPath && given !== undefined && given !== view.repoPath) {
    throw new UsageError(`--repo: session "${name}" works on ${view.repoPath}, not "${repo}"`);
  }
  // A session always runs in its own workspace (`ask --session` included): the workspace mode yields to it.
  const input: Record<string, unknown> = {
    ...raw,
    workspace: 'auto',
    branch: view?.branch ?? `nightshift/session-${name}`,
  };
  if (backend === undefined && view?.backend) input['backend'] = view.backend;
  if (repo === undefined && view?.repoPath) input['repo'] = view.repoPath;
  const spec = resolveJobSpec(input, config, cwd);
  spec.fallbacks = []; // an agent session belongs to one backend
  // Relative: under the data dir of the host that runs the session (a fleet shares no paths).
  spec.workspacePath = view?.workspacePath ?? join('sessions', name, 'workspace');
  await client.workflow.signalWithStart<typeof sessionWorkflow, [JobSpec]>(WORKFLOW.session, {
    workflowId: sessionWorkflowId(name, config.temporal.taskQueue),
    taskQueue: config.temporal.taskQueue,
    args: [{ name, settings: sessionSettings(config) }],
    signal: sessionSubmitSignal,
    signalArgs: [spec],
  });
  return spec;
}

/**
 * Waits for the session's record of a job (its result, with `freshSession` when the agent session was
 * replaced). A record the session no longer keeps falls back to the job workflow's own result.
 */
export async function waitForSessionJob(
  client: Client,
  config: Config,
  name: string,
  jobId: string,
  pollMs = 1000,
): Promise<SessionJobRecord> {
  const handle = handleOf(client, config, name);
  for (let missing = 0; ;) {
    const record = await handle.query(sessionJobQuery, jobId);
    if (record?.result || record?.status === 'dropped') return record;
    if (!record && ++missing >= 3) {
      const { result, error } = await jobOutcome(client, jobId);
      if (result) return { jobId, status: result.status, submittedAt: result.timeline.queuedAt, result };
      throw error ?? new Error(`session ${name}: no job ${jobId}`);
    }
    await sleep(pollMs);
  }
}

export interface SessionRow extends SessionView {
  workflowId: string;
}

/** Open sessions on this task queue (visibility), each with its live view (query). */
export async function listSessions(client: Client, config: Config): Promise<SessionRow[]> {
  const query = `WorkflowType = '${WORKFLOW.session}' AND TaskQueue = '${config.temporal.taskQueue}' AND ExecutionStatus = 'Running'`;
  const rows: SessionRow[] = [];
  for await (const wf of client.workflow.list({ query })) {
    try {
      const view = await client.workflow.getHandle(wf.workflowId).query(sessionViewQuery);
      rows.push({ workflowId: wf.workflowId, ...view });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // closed meanwhile
    }
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Asks an open session to end after its running job; queued jobs are dropped (and say so). */
export async function closeSession(client: Client, config: Config, name: string): Promise<SessionView> {
  checkSessionName(name);
  const view = await openSession(client, config, name);
  if (!view) throw new UsageError(`session: no open session "${name}"`);
  await handleOf(client, config, name).signal(sessionCloseSignal);
  return { ...view, closing: true };
}
