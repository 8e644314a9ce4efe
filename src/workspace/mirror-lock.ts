// One git operation at a time per mirror: a queue inside this process, and a lock file that the other worker
// processes sharing this host's data dir honour (link(2) makes it appear atomically, with its holder in it).
import { randomUUID } from 'node:crypto';
import { link, readFile, realpath, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const TOUCH_MS = 10_000; // a holder refreshes its lock's mtime this often…
const STALE_MS = 60_000; // …so a lock untouched for this long lost its holder (a crash, on any host)
const WAIT_MS = 30 * 60_000; // a clone of a large repo may hold the lock for minutes; beyond this, give up

const queues = new Map<string, Promise<void>>();
const noop = (): void => undefined;

/** Runs `fn` holding the mirror's lock (`<mirror>.lock`); the mirror's parent directory must exist. */
export async function withMirrorLock<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
  // One key per mirror however its path was spelled (git reports a worktree's common dir by its real path).
  const key = join(await realpath(dirname(mirror)), basename(mirror));
  const run = (queues.get(key) ?? Promise.resolve()).then(() => holdingLockFile(`${key}.lock`, fn));
  const tail = run.then(noop, noop);
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

async function holdingLockFile<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const me = `${hostname()} ${process.pid} ${randomUUID()}`;
  await acquire(lock, me);
  const touch = setInterval(() => void utimes(lock, new Date(), new Date()).catch(noop), TOUCH_MS);
  touch.unref();
  try {
    return await fn();
  } finally {
    clearInterval(touch);
    // Only our own lock: one judged stale (we stalled past STALE_MS) may be another holder's by now.
    if ((await readFile(lock, 'utf8').catch(() => '')) === me) await rm(lock, { force: true });
  }
}

async function acquire(lock: string, me: string): Promise<void> {
  const mine = `${lock}.${randomUUID()}`;
  await writeFile(mine, me);
  try {
    const deadline = Date.now() + WAIT_MS;
    while (!(await linked(mine, lock))) {
      if (await isStale(lock)) await breakLock(lock);
      else if (Date.now() > deadline) throw new Error(`mirror busy: ${lock} held for over ${WAIT_MS / 60_000} min`);
      else await sleep(50 + Math.random() * 150);
    }
  } finally {
    await rm(mine, { force: true });
  }
}

async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Untouched too long, or held by a process of this host that is gone. A lock that vanished is not stale. */
async function isStale(lock: string): Promise<boolean> {
  const [info, holder] = await Promise.all([stat(lock).catch(() => undefined), readFile(lock, 'utf8').catch(() => '')]);
  if (!info || !holder) return false;
  if (Date.now() - info.mtimeMs > STALE_MS) return true;
  const [host, pid] = holder.split(' ');
  return host === hostname() && !alive(Number(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Moves the stale lock aside first (rename is atomic: of several breakers one wins), then removes it. */
async function breakLock(lock: string): Promise<void> {
  const aside = `${lock}.stale-${randomUUID()}`;
  try {
    await rename(lock, aside);
  } catch {
    return; // another waiter broke it first
  }
  await rm(aside, { force: true });
}
