// Compares at the edge: validate backends and repo, resolve one job per backend, start and inspect the compare.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { isGitRepo } from '../workspace/git.js';
import { adapterFor } from '../agents/registry.js';
import type { Config } from '../config/schema.js';
import { newJobId } from '../protocol/ids.js';
import { UsageError } from '../support/usage-error.js';
import type { compareWorkflow } from '../workflows/compare/workflow.js';
import { compareViewQuery } from '../protocol/signals.js';
import type { CompareSpec, CompareView } from '../protocol/compare.js';
import { resolveJobSpec } from './job-input.js';
import { workflowView } from './workflow-view.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

export interface CompareInput {
  /** Comma list of backend names, e.g. "claude,codex,opencode". */
  backends: string;
  prompt: string;
  repo?: string;
  check?: string[];
  review?: string;
  kind?: string;
  timeoutSeconds?: number;
  compareId?: string;
}

const ID = /^[a-z][a-z0-9-]{0,39}$/;
export const newCompareId = (): string => newJobId().replace(/^job-/, 'cmp-');

/** ≥ 2 distinct known backends; an unknown or repeated name is a UsageError naming it. */
export function parseBackends(list: string): string[] {
  const names = list.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!name) throw new UsageError(`--backends: empty name in "${list}"`);
    if (seen.has(name)) throw new UsageError(`--backends: "${name}" is named twice in "${list}"`);
    adapterFor(name);
    seen.add(name);
  }
  if (names.length < 2) throw new UsageError(`--backends: a compare needs at least two backends, got "${list}"`);
  return names;
}

/** Everything is validated before anything starts; each job gets `<compareId>-<backend>` and its own worktree. */
export async function resolveCompare(input: CompareInput, config: Config, cwd = process.cwd()): Promise<CompareSpec> {
  const backends = parseBackends(input.backends);
  const compareId = input.compareId ?? newCompareId();
  if (!ID.test(compareId))
    throw new UsageError(
      `--id: "${compareId}" must be lowercase letters, digits and dashes (≤ 40, starting with a letter)`,
    );
  const repo = resolve(cwd, input.repo ?? '.');
  await assertGitRepo(repo);
  const specs = backends.map((backend) => {
    const raw = Object.fromEntries(
      Object.entries({
        prompt: input.prompt,
        backend,
        repo,
        workspace: 'worktree',
        kind: input.kind,
        check: input.check,
        review: input.review,
        timeoutSeconds: input.timeoutSeconds,
      }).filter(([, v]) => v !== undefined),
    );
    // The job id is set after resolving, like a chain step's: the compare id is its prefix.
    return { ...resolveJobSpec(raw, config, cwd), jobId: `${compareId}-${backend}` };
  });
  return { compareId, prompt: input.prompt, specs };
}

async function assertGitRepo(repo: string): Promise<void> {
  if (!existsSync(repo)) throw new UsageError(`--repo: "${repo}" does not exist`);
  if (!(await isGitRepo(repo)))
    throw new UsageError(`--repo: "${repo}" is not a git repository (each backend gets its own worktree and branch)`);
}

export async function startCompare(
  client: Client,
  config: Config,
  spec: CompareSpec,
): Promise<WorkflowHandle<typeof compareWorkflow>> {
  return client.workflow.start<typeof compareWorkflow>(WORKFLOW.compare, {
    workflowId: spec.compareId,
    taskQueue: config.temporal.taskQueue,
    args: [spec],
  });
}

export async function compareOutcome(
  client: Client,
  compareId: string,
): Promise<{ view?: CompareView; error?: Error }> {
  try {
    return { view: await client.workflow.getHandle<typeof compareWorkflow>(compareId).result() };
  } catch (err) {
    return { error: err as Error };
  }
}

/** Each backend's state and row: the live query while the compare runs, its outcome once it has closed. */
export async function compareStatus(client: Client, compareId: string): Promise<CompareView> {
  return workflowView(client, compareId, {
    workflowType: WORKFLOW.compare,
    noun: 'compare',
    query: compareViewQuery,
    outcome: compareOutcome,
    // Backends that had not finished when the compare ended were stopped with it.
    endedAs: (v, how, at) => ({
      ...v,
      status: how,
      finishedAt: v.finishedAt ?? at,
      backends: v.backends.map((e) => (e.state === 'done' ? e : { ...e, state: 'cancelled' })),
    }),
  });
}
