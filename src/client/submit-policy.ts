// Submitters are not operators: a job arriving over the HTTP API or MCP (a prompt from elsewhere — maybe from an
// agent) may not run in place, work outside `repoRoots`, pick a fixed workspace path, run unsandboxed, or take the
// operator lane unless its caller may. One module, called by both edges before anything resolves or submits; the
// CLI (the operator on the host) keeps every option.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Config } from '../config/schema.js';
import { isRepoUrl } from '../protocol/repo.js';
import { UsageError } from '../support/usage-error.js';
import { JobInputSchema } from './job-input.js';

/** A refused submit: a UsageError naming the field and value; `forbidden` (HTTP 403) when it is the caller's scope. */
export class SubmitRefused extends UsageError {
  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
    readonly forbidden = false,
  ) {
    super(message);
  }
}

export interface Submitter {
  /** Where the job came from, for the message. */
  via: 'the HTTP API' | 'MCP';
  /** An operator-scoped token (or `mcp.lanes` listing the operator lane): the operator lane, a session resumed. */
  operator: boolean;
}

/**
 * The raw job input as the policy allows it (its repo replaced by the resolved real path, `auto` made `worktree`),
 * or a SubmitRefused. Input that does not parse is returned as is: the resolver names its error.
 */
export function applySubmitPolicy(raw: unknown, config: Config, who: Submitter, cwd = process.cwd()): unknown {
  const parsed = JobInputSchema.safeParse(raw);
  if (!parsed.success) return raw;
  const input = parsed.data;
  const from = `from ${who.via}`;
  if (input.lane === 'operator' && !who.operator)
    throw new SubmitRefused(
      `lane: "operator" is not open ${from} to this caller (a submit scope)`,
      'lane',
      'operator',
      true,
    );
  // A session id reopens another job's conversation: an operator's to give.
  if (input.resumeSessionId !== undefined && !who.operator)
    throw new SubmitRefused(
      `resumeSessionId: resuming a session is not open ${from} to this caller (a submit scope)`,
      'resumeSessionId',
      input.resumeSessionId,
      true,
    );
  if (input.workspace === 'in-place')
    throw new SubmitRefused(
      `workspace: "in-place" is not allowed ${from} (use "worktree" or "none")`,
      'workspace',
      'in-place',
    );
  if (input.workspacePath !== undefined)
    throw new SubmitRefused(
      `workspacePath: "${input.workspacePath}" is not allowed ${from}`,
      'workspacePath',
      input.workspacePath,
    );
  if (input.sandbox === 'off') throw new SubmitRefused(`sandbox: "off" is not allowed ${from}`, 'sandbox', 'off');
  if (input.workspace === 'none') return raw; // a scratch dir under the data dir: no repo is read
  const repo = repoWithinRoots(input.repo, config.repoRoots, from, cwd);
  // `auto` runs in place in a folder that is not a git repo: from outside it means a worktree or nothing.
  return {
    ...(raw as Record<string, unknown>),
    repo,
    workspace: input.workspace === 'auto' ? 'worktree' : input.workspace,
  };
}

const outside = (repo: string, from: string): SubmitRefused =>
  new SubmitRefused(`repo: "${repo}" is not under repoRoots (config), so not allowed ${from}`, 'repo', repo);

/** The repo (a real path, or the URL) when a root holds it; the same refusal whether or not the path exists. */
function repoWithinRoots(repo: string, roots: string[], from: string, cwd: string): string {
  if (isRepoUrl(repo)) {
    // No dot segments, raw or encoded: a prefix match must not be walked out of.
    if (/(^|[/:])(\.|%2e){1,2}(\/|$)/i.test(repo)) throw outside(repo, from);
    if (roots.some((r) => isRepoUrl(r) && urlMatches(repo, r))) return repo;
    throw outside(repo, from);
  }
  if (repo.split(/[\\/]/).includes('..')) throw outside(repo, from);
  let real: string;
  try {
    real = realpathSync(resolve(cwd, repo)); // symlinks followed: where the job would really work
  } catch {
    throw outside(repo, from);
  }
  for (const root of roots) {
    if (isRepoUrl(root) || !isAbsolute(root)) continue;
    let base: string;
    try {
      base = realpathSync(root);
    } catch {
      continue; // a root missing on this host holds nothing here
    }
    const rel = relative(base, real);
    if (rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))) return real;
  }
  throw outside(repo, from);
}

/** `https://github.com/acme/*` (a `*` stays within one path segment, `**` crosses them), or a prefix ending at `/`. */
export function urlMatches(url: string, root: string): boolean {
  if (root.includes('*')) {
    const pattern = root
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${pattern}$`).test(url);
  }
  return url === root || url.startsWith(root.endsWith('/') ? root : `${root}/`);
}
