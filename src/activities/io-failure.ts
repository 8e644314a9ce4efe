// A host's I/O trouble (a file, a stream, a spawn) is the job's failure with a class, never the worker's crash:
// one errno → class table, applied once to every activity where they are assembled.
import { existsSync } from 'node:fs';
import { TemporalFailure, type ApplicationFailure } from '@temporalio/common';
import type { Fault } from '../agents/process/supervise.js';
import { encodeFailure, FailureClass, NON_RETRYABLE } from '../protocol/failures.js';

export interface Classified {
  type: FailureClass;
  message: string;
}

const ERRNO: Record<string, FailureClass> = {
  ENOSPC: FailureClass.DiskFull,
  EDQUOT: FailureClass.DiskFull,
  EACCES: FailureClass.WorkspaceUnwritable,
  EPERM: FailureClass.WorkspaceUnwritable,
  EROFS: FailureClass.WorkspaceUnwritable,
  EISDIR: FailureClass.WorkspaceUnwritable, // a directory where the job writes a file
  ENOENT: FailureClass.JobDirMissing, // the job's files are not on this host (removed, or made on another)
  ENOTDIR: FailureClass.JobDirMissing,
};

const LEAD: Partial<Record<FailureClass, string>> = {
  [FailureClass.DiskFull]: 'disk full on this host',
  [FailureClass.WorkspaceUnwritable]: "cannot write the job's files on this host",
  [FailureClass.JobDirMissing]: "the job's files are missing on this host",
};

interface Errno {
  code: string;
  message: string;
  syscall?: string;
  path?: string;
}

const isErrno = (e: unknown): e is Errno => {
  const code = e instanceof Error ? (e as Partial<Errno>).code : undefined;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
};

/** Node's own errno error: the error itself, or the cause a wrapper (execa) carries; the one naming a syscall wins. */
function errnoOf(err: unknown): Errno | undefined {
  const chain: unknown[] = [err, (err as { cause?: unknown } | undefined)?.cause];
  const found = chain.filter(isErrno);
  return found.find((e) => e.syscall !== undefined) ?? found[0];
}

/** The class and a message naming the path, for an errno error; undefined for anything else (left as it is). */
export function classifyIo(err: unknown): Classified | undefined {
  const e = errnoOf(err);
  if (!e) return undefined;
  if (e.syscall?.startsWith('spawn')) return spawnFailure(e, (err as { cwd?: unknown }).cwd);
  const type = ERRNO[e.code];
  if (!type) return undefined;
  const where = e.path && !e.message.includes(e.path) ? ` (${e.path})` : '';
  return { type, message: `${LEAD[type] ?? 'I/O error'}: ${e.message}${where}` };
}

/** spawn ENOENT: the program is not here (or its interpreter is not) — unless the working directory is gone. */
function spawnFailure(e: Errno, cwd: unknown): Classified | undefined {
  if (e.code === 'ENOENT' && typeof cwd === 'string' && !existsSync(cwd)) {
    return { type: FailureClass.JobDirMissing, message: `working directory missing on this host: ${cwd}` };
  }
  const what = e.path ?? e.syscall?.replace(/^spawn /, '') ?? 'command';
  if (e.code === 'ENOENT') return { type: FailureClass.AgentNotFound, message: `not found on this host: ${what}` };
  if (e.code === 'EACCES') return { type: FailureClass.AgentNotFound, message: `not executable on this host: ${what}` };
  return undefined;
}

/** A supervised process's fault (its group already killed), or its raw error when no class fits; `what`: "agent". */
export function classifyFault(fault: Fault, what: string): Classified | Error {
  if (fault.kind === 'dir-missing') {
    return { type: FailureClass.JobDirMissing, message: `job directory gone: ${fault.dir}; the ${what} was stopped` };
  }
  return classifyIo(fault.error) ?? fault.error;
}

export function hostFailure(c: Classified, cause?: unknown): ApplicationFailure {
  return encodeFailure(c.type, c.message, { nonRetryable: NON_RETRYABLE.includes(c.type), cause });
}

/** What an activity throws: Temporal's own failures untouched, errno errors classified, the rest as they are. */
export function asActivityError(err: unknown): unknown {
  if (err instanceof TemporalFailure) return err;
  const c = classifyIo(err);
  return c ? hostFailure(c, err) : err;
}

type AsyncFn = (...args: never[]) => Promise<unknown>;

/** Every activity of `acts`, its errno errors classified (same names, same types). */
export function withIoFailures<A extends { [K in keyof A]: AsyncFn }>(acts: A): A {
  const out: Partial<A> = {};
  for (const key of Object.keys(acts) as (keyof A)[]) {
    const fn = acts[key] as unknown as (...args: unknown[]) => Promise<unknown>;
    const wrapped = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await fn(...args);
      } catch (err) {
        throw asActivityError(err);
      }
    };
    out[key] = wrapped as unknown as A[keyof A];
  }
  return out as A;
}
