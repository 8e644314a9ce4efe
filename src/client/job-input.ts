// The job spec as a person or script gives it, validated once at the edge and resolved against config.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { BACKENDS, adapterFor, resolveCommand } from '../agents/registry.js';
import type { Config } from '../config/schema.js';
import { jobNotifySettings } from '../config/notify-settings.js';
import { capacityWorkflowId, newJobId } from '../protocol/ids.js';
import { LANES, WORKSPACE_MODES, type JobSpec } from '../protocol/job.js';
import { isRepoUrl, maskRepoUrl } from '../protocol/repo.js';
import { UsageError } from '../support/usage-error.js';
import { describeIssues } from '../support/zod-issues.js';

const positive = z.number().int().positive();

export const JobInputSchema = z.strictObject({
  prompt: z.string().trim().min(1, 'prompt must not be empty'),
  kind: z.string().min(1).default('coding-agent'),
  backend: z.string().min(1).optional(),
  lane: z.enum(LANES).default('background'),
  repo: z.string().min(1).default('.'),
  workspace: z.enum(WORKSPACE_MODES).default('auto'),
  check: z.array(z.string().min(1)).min(1).optional(),
  model: z.string().min(1).optional(),
  timeoutSeconds: positive.optional(),
  hangTimeoutSeconds: positive.optional(),
  heartbeatSeconds: positive.optional(),
  maxAttempts: positive.max(20).optional(),
  /** Caps on each agent run's live usage: input+output tokens, and cost in USD where the CLI reports it. */
  maxTokens: positive.optional(),
  maxCostUsd: z.number().positive().optional(),
  jobId: z
    .string()
    .regex(/^job-[a-z0-9-]{1,60}$/, 'jobId must look like job-<lowercase letters, digits, dashes>')
    .optional(),
  resumeSessionId: z.string().min(1).optional(),
  workspacePath: z.string().min(1).optional(),
  branch: z
    .string()
    .regex(/^[\w./-]+$/, 'branch must be a plain git branch name')
    .optional(),
  fixRounds: z.number().int().min(0).max(10).optional(),
  review: z.string().min(1).optional(),
  reviewRounds: z.number().int().min(1).max(5).optional(),
  reviewModel: z.string().min(1).optional(),
  /** Land the work when the job succeeds: on `landOnto` (default: the branch it starts from). */
  land: z.boolean().optional(),
  landOnto: z
    .string()
    .regex(/^[\w./-]+$/, 'landOnto must be a plain git branch name')
    .optional(),
  /** A conflict at landing goes to a job on this backend. */
  landResolve: z.string().min(1).optional(),
  /** `off`: run unconfined, where the config has `sandbox.allowJobOff` (`bwrap`: the host's sandbox, the default). */
  sandbox: z.enum(['bwrap', 'off']).optional(),
  /** Mount `nightshift mcp` into the agent: it may submit jobs, wait for them and read their results. */
  mcp: z.boolean().optional(),
});
export type JobInput = z.input<typeof JobInputSchema>;

/** Validates and resolves a job; throws UsageError (naming field and value) before anything starts. */
export function resolveJobSpec(raw: unknown, config: Config, cwd = process.cwd()): JobSpec {
  const parsed = JobInputSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid job spec:\n${describeIssues(parsed.error, raw)}`);
  const input = parsed.data;
  const estimate = config.estimates[input.kind];
  if (estimate === undefined) {
    throw new UsageError(
      `kind: unknown kind "${input.kind}" (configured: ${Object.keys(config.estimates).join(', ')})`,
    );
  }
  const [backend, ...fallbacks] = candidates(input.backend, input.kind, config);
  if (!backend) throw new UsageError(`routes.${input.kind}.backend: empty`);
  const j = config.jobs;
  const spec: JobSpec = {
    jobId: input.jobId ?? newJobId(),
    prompt: input.prompt,
    kind: input.kind,
    backend,
    lane: input.lane,
    repoPath: repoPathOf(input.repo, input.workspace, cwd),
    workspaceMode: input.workspace,
    timeoutSeconds: input.timeoutSeconds ?? j.timeoutSeconds,
    hangTimeoutSeconds: input.hangTimeoutSeconds ?? j.hangTimeoutSeconds,
    heartbeatSeconds: input.heartbeatSeconds ?? j.heartbeatSeconds,
    maxAttempts: input.maxAttempts ?? j.maxAttempts,
    estimateTokens: estimate,
    fallbacks,
    failoverMaxWaitSeconds: config.failover.maxWaitSeconds,
    capacityWorkflowId: capacityWorkflowId(config.temporal.taskQueue),
    hostLostSeconds: config.worker.hostLostSeconds,
  };
  if (input.check) spec.check = input.check;
  if (input.model) spec.model = input.model;
  if (input.resumeSessionId) {
    // A session id belongs to one CLI: refused before anything starts on a backend without sessions.
    if (!adapterFor(backend).sessions) throw new UsageError(`--resume: backend "${backend}" has no resumable sessions`);
    spec.resumeSessionId = input.resumeSessionId;
  }
  if (input.workspacePath) spec.workspacePath = resolve(cwd, input.workspacePath);
  if (input.branch) spec.branch = input.branch;
  if (input.fixRounds) spec.fixRounds = input.fixRounds;
  Object.assign(spec, capsOf(input, j));
  if (input.mcp) Object.assign(spec, brainOf(spec));
  const notify = jobNotifySettings(config, spec.lane); // a job.ended webhook listens: the job starts its notification
  if (notify) spec.notify = notify;
  if (input.sandbox === 'off') {
    if (!config.sandbox.allowJobOff)
      throw new UsageError('--sandbox: "off" is not allowed here (the config needs sandbox.allowJobOff: true)');
    spec.sandbox = 'off';
  }
  if (input.landOnto && !input.land) throw new UsageError(`--onto: "${input.landOnto}" needs --land`);
  if (input.landResolve && !input.land) throw new UsageError(`--resolve: "${input.landResolve}" needs --land`);
  if (input.land) {
    const resolver = input.landResolve ? resolverSpec(input.landResolve, spec.repoPath, config, cwd) : undefined;
    spec.land = { ...(input.landOnto ? { target: input.landOnto } : {}), ...(resolver ? { resolver } : {}) };
  }
  if (input.review) {
    adapterFor(input.review);
    resolveCommand(input.review, config);
    spec.review = {
      backend: input.review,
      rounds: input.reviewRounds ?? 1,
      ...(input.reviewModel ? { model: input.reviewModel } : {}),
    };
  }
  return spec;
}

/** A brain mounts the MCP server: its backend must be able to; fallbacks that cannot are left out. */
function brainOf(spec: JobSpec): Pick<JobSpec, 'mcp' | 'fallbacks'> {
  const mounts = (b: string): boolean => adapterFor(b).mountsMcp === true;
  if (!mounts(spec.backend)) {
    const able = Object.values(BACKENDS)
      .filter((a) => a.mountsMcp)
      .map((a) => a.name)
      .join(', ');
    throw new UsageError(`--mcp: backend "${spec.backend}" cannot mount the MCP server (these can: ${able})`);
  }
  return { mcp: true, fallbacks: spec.fallbacks.filter(mounts) };
}

/** The job that resolves a landing's conflict: a coding job on `backend` in the same repo (the queue sets the rest). */
export function resolverSpec(backend: string, repo: string, config: Config, cwd = process.cwd()): JobSpec {
  try {
    return resolveJobSpec({ prompt: 'resolve a landing conflict', repo, backend, workspace: 'worktree' }, config, cwd);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--resolve: ${err.message}`);
    throw err;
  }
}

/** The job's caps: its own, else its kind's default from `jobs.maxTokensByKind` / `jobs.maxCostUsdByKind`. */
function capsOf(
  input: { kind: string; maxTokens?: number | undefined; maxCostUsd?: number | undefined },
  j: Config['jobs'],
): Pick<JobSpec, 'maxTokens' | 'maxCostUsd'> {
  const maxTokens = input.maxTokens ?? j.maxTokensByKind[input.kind];
  const maxCostUsd = input.maxCostUsd ?? j.maxCostUsdByKind[input.kind];
  return { ...(maxTokens ? { maxTokens } : {}), ...(maxCostUsd ? { maxCostUsd } : {}) };
}

/** The backend name that asks for ledger-driven routing. */
export const AUTO = 'auto';

/** `--backend` pins one backend (no failover); else the kind's route: its backend, then its fallbacks. */
function candidates(pinned: string | undefined, kind: string, config: Config): string[] {
  const route = config.routes[kind];
  const list = pinned ? [pinned] : route ? [route.backend, ...route.fallbacks] : [config.defaultBackend];
  // `auto` needs the ledger and the capacity view (async): submit resolves it first (resolveAutoBackend).
  if (list.includes(AUTO))
    throw new UsageError(`${pinned ? '--backend' : `routes.${kind}.backend`}: "auto" is resolved only at submit`);
  // Where the name came from, so the error points at the flag or the config key to fix.
  const source = pinned ? '--backend' : route ? `routes.${kind}` : 'defaultBackend';
  for (const name of list) {
    try {
      adapterFor(name); // unknown backend → usage error naming it
      resolveCommand(name, config); // CLI not installed → usage error naming it
    } catch (err) {
      if (err instanceof UsageError && source !== '--backend')
        throw new UsageError(`${source} (config): ${err.message}`);
      throw err;
    }
  }
  return list;
}

/**
 * A git URL as given (each worker host clones it; an unreachable one fails the job naming it, credentials masked).
 * A local repo must exist now (a job that fails later for a typo is half-submitted); a scratch job needs none.
 */
function repoPathOf(repo: string, workspace: string, cwd: string): string {
  if (isRepoUrl(repo)) {
    // The spec lives in Temporal's history: a token in the URL would be kept there for good.
    if (maskRepoUrl(repo) !== repo)
      throw new UsageError(
        `--repo: "${maskRepoUrl(repo)}" carries credentials; use an SSH key or a git credential helper instead`,
      );
    return repo;
  }
  const path = resolve(cwd, repo);
  if (workspace !== 'none' && !existsSync(path)) throw new UsageError(`--repo: "${repo}" does not exist (${path})`);
  return path;
}
