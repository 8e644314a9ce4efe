// Ledgers for tests: a throwaway real PostgreSQL cluster (Debian's postgresql package), and the embedded ledger
// one test process shares (in a child process that ends with it, so it never keeps a test file from exiting).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../src/dev/demo/demo-setup.js';

export interface PostgresCluster {
  /** With a password: the tests check that it never shows. */
  url: string;
  password: string;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<v>/bin/<name> (Debian's layout); a clear failure (not a skip) without it. */
export function postgresBin(name: 'initdb' | 'pg_ctl'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  throw new Error(
    `PostgreSQL is not installed (no ${name} under ${root}/*/bin): run scripts/setup.sh as root, or apt-get install postgresql`,
  );
}

/** PostgreSQL refuses to run as root: as root (CI) its commands run as the `postgres` user the package made. */
const asOwner = (bin: string, args: string[]) =>
  process.getuid?.() === 0 ? execa('runuser', ['-u', 'postgres', '--', bin, ...args]) : execa(bin, args);

/** A cluster in a temp dir on a free port (socket dir inside it too), password auth over TCP; stop() removes it. */
export async function startPostgres(): Promise<PostgresCluster> {
  const [initdb, pgCtl] = [postgresBin('initdb'), postgresBin('pg_ctl')];
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-pg-'));
  const password = `pw-${process.pid}-${Date.now()}`;
  writeFileSync(join(dir, 'pw'), password);
  if (process.getuid?.() === 0) {
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    for (const p of [dir, join(dir, 'pw')]) chownSync(p, uid, uid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  await asOwner(initdb, [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    join(dir, 'pw'),
    '--no-locale',
    '-E',
    'UTF8',
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
  ]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  await asOwner(pgCtl, ['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'log'), '-o', opts]).catch((err) => {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${String(err)}\n${log}`);
  });
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    password,
    async stop() {
      await asOwner(pgCtl, ['stop', '-m', 'immediate', '-D', data]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<string> | undefined;

/** The URL of this test process's in-memory embedded ledger, started on first use (it may still be booting). */
export function sharedLedgerUrl(): Promise<string> {
  return (shared ??= spawnLedger());
}

const SERVER = new URL('../../src/dev/ledger-server.ts', import.meta.url).href;
// The child says its URL as soon as it listens (PGlite boots behind it, connections wait), and serves until its
// parent is gone (the IPC channel closes).
const CHILD = `
const { listenLedgerServer } = await import(${JSON.stringify(SERVER)});
const server = await listenLedgerServer({ port: 0 });
process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
process.send({ url: server.url });
await server.ready;
`;

async function spawnLedger(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // stdout is the test runner's channel
  });
  // Its boot (seconds of CPU) yields to the test's own start-up (bundling workflows); nothing waits on it yet.
  if (child.pid) setPriority(child.pid, 10);
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`the embedded ledger exited (${String(code)})`))),
  ])) as [{ url: string }];
  // Neither the child nor its channel keeps this process alive; when it exits, the channel closes and the child ends.
  child.channel?.unref();
  child.unref();
  return message.url;
}
