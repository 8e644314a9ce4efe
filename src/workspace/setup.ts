// A fresh worktree's bootstrap (`repos[].setup`, e.g. `npm ci`) before the agent: run once, its outcome kept in the
// job dir (setup.json), so a retried prepare returns it instead of running the command again.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config, RepoConfig } from '../config/schema.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { SetupOutcome } from '../protocol/result.js';
import type { CheckRun } from './check.js';
import { findRepoConfig } from './repo-match.js';

const TAIL_BYTES = 4096;

/**
 * Where and how the setup process runs. The repo's content is untrusted (a `postinstall` an agent wrote): `env` is
 * all it gets beside the worker's plain settings (PATH, locale, proxies), and it may write only `cwd`, `writable`
 * and its own home.
 */
export interface SetupRequest {
  cwd: string;
  jobDir: string;
  /** Its output (stdout and stderr) is appended here. */
  log: string;
  /** `repos[].env` and the cache dirs' variables. */
  env: Record<string, string>;
  /** The cache dirs: shared by every setup of the repo, so writable. */
  writable: string[];
  timeoutSeconds: number;
}

/** How the setup ended, and the sandbox it ran in. */
export interface SetupRun extends CheckRun {
  sandbox: 'bwrap' | 'off';
}

/**
 * Runs `file args` (argv, no shell, stdin closed). The activity provides it: the process sandboxed as an agent, in
 * its own group (reaped with the host), killed with its group on timeout and cancel — as the check's process.
 */
export type SetupProcess = (file: string, args: string[], request: SetupRequest) => Promise<SetupRun>;

export interface Worktree {
  /** The job's repo as its spec holds it (a local path or a URL): what `repos[].match` is matched against. */
  repo: string;
  path: string;
  jobDir: string;
  /** The worktree has not been set up yet: made just now, or the job's own that an earlier attempt left. */
  fresh: boolean;
}

/**
 * The setup's outcome for this job's worktree: the recorded one when an earlier attempt ran it, else (a fresh
 * worktree of a repo with a `repos` entry) it runs now. None when nothing applies; a failed setup throws.
 */
export async function setUpWorktree(
  w: Worktree,
  config: Config,
  run?: SetupProcess,
): Promise<SetupOutcome | undefined> {
  const recordFile = join(w.jobDir, 'setup.json');
  const recorded = await readRecord(recordFile);
  if (recorded) return settled(recorded);
  const entry = w.fresh ? findRepoConfig(config.repos, w.repo) : undefined;
  if (!entry) return undefined;
  if (!run) throw new Error(`setup of ${w.path} needs a process runner (prepareWorkspace outside an activity)`);
  const outcome = await runSetup(entry, w, config.dataDir, run);
  await writeFile(recordFile, JSON.stringify(outcome));
  return settled(outcome);
}

async function runSetup(entry: RepoConfig, w: Worktree, dataDir: string, run: SetupProcess): Promise<SetupOutcome> {
  const [file, ...args] = entry.setup;
  if (!file) throw new Error('setup command is empty');
  const caches = await cacheDirsEnv(entry.cacheDirs, dataDir);
  const timeoutSeconds = entry.setupTimeoutSeconds;
  const started = Date.now();
  const r = await run(file, args, {
    cwd: w.path,
    jobDir: w.jobDir,
    log: join(w.jobDir, 'setup.log'),
    env: { ...entry.env, ...caches },
    writable: Object.values(caches),
    timeoutSeconds,
  });
  const note = r.timedOut ? `\n[nightshift: setup timed out after ${timeoutSeconds}s; its process group killed]\n` : '';
  return {
    command: entry.setup,
    exitCode: r.timedOut ? 124 : (r.exitCode ?? 1),
    durationMs: Date.now() - started,
    outputTail: (r.outputTail + note).slice(-TAIL_BYTES),
    sandbox: r.sandbox,
  };
}

/** ENV_NAME → its absolute dir (a relative one under the data dir), each made if missing. */
async function cacheDirsEnv(dirs: Record<string, string>, dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [name, dir] of Object.entries(dirs)) {
    const abs = resolve(dataDir, dir);
    await mkdir(abs, { recursive: true });
    env[name] = abs;
  }
  return env;
}

/** A failed setup fails the job before any agent runs: one attempt, the command, its exit and its output's end. */
function settled(outcome: SetupOutcome): SetupOutcome {
  if (outcome.exitCode === 0) return outcome;
  const where = outcome.sandbox ? ` (sandbox: ${outcome.sandbox})` : '';
  const message = `setup \`${outcome.command.join(' ')}\` failed with exit code ${outcome.exitCode}${where}:\n${outcome.outputTail}`;
  throw encodeFailure(FailureClass.WorkspaceFailed, message, { nonRetryable: true });
}

/** An earlier attempt's outcome; undefined when none was recorded (or the record is unreadable: run again). */
async function readRecord(file: string): Promise<SetupOutcome | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SetupOutcome;
  } catch {
    return undefined;
  }
}
