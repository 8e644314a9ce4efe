// The embedded ledger: PGlite served over the Postgres wire protocol, so every process reaches it with `pg` and
// only this one process ever opens its files.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LedgerServer {
  /** A `postgres://` URL for `pg` (no password: PGlite takes any). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface LedgerServerOptions {
  /** The database directory; undefined = in memory (gone at stop). */
  dir?: string | undefined;
  /** 0 = any free port. */
  port: number;
}

/**
 * PGlite runs one query at a time; pglite-socket serves one connection unless told more, and then multiplexes
 * them (a transaction keeps the database to its connection until it ends). Every worker, CLI and test pool connects.
 */
const MAX_CONNECTIONS = 100;
const HOST = '127.0.0.1';

export async function startLedgerServer({ dir, port }: LedgerServerOptions): Promise<LedgerServer> {
  await assertPortFree(port); // before the files are opened: a second `nightshift dev` must not touch them
  const db = await openDatabase(dir);
  const server = new PGLiteSocketServer({ db, host: HOST, port, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw portError(port, err);
  }
  const bound = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres@${HOST}:${bound}/postgres`,
    port: bound,
    async stop() {
      await server.stop();
      await new Promise((r) => setImmediate(r)); // let the detached connections settle before the database closes
      await db.close();
    },
  };
}

async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(portError(port, err)));
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

const portError = (port: number, err: unknown): Error =>
  (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? new Error(
        `ledger: port ${port} on ${HOST} is in use (another \`nightshift dev\`?): stop it, or set ledger.devPort, or ledger.url to a PostgreSQL`,
        { cause: err },
      )
    : (err as Error);

/** A new database starts from a dumped empty cluster when there is one: PGlite's initdb costs seconds. */
async function openDatabase(dir: string | undefined): Promise<PGlite> {
  const fresh = !dir || !existsSync(join(dir, 'PG_VERSION'));
  if (dir) await mkdir(dir, { recursive: true });
  const template = fresh ? await readFile(templateFile()).catch(() => undefined) : undefined;
  const { PGlite } = await loadPglite();
  const db = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(template ? { loadDataDir: new Blob([template]) } : {}),
  });
  if (fresh && !template) await saveTemplate(db);
  return db;
}

/**
 * Loaded on use, not at import: every CLI command imports this module (through `dev`), few start a ledger. The
 * specifier is a variable so that the linter's import graph does not parse PGlite's minified bundle (it overflows).
 */
const PGLITE = '@electric-sql/pglite';
const loadPglite = (): Promise<typeof import('@electric-sql/pglite')> => import(PGLITE);

/** Per PGlite version (its data format) and user (a shared /tmp). */
function templateFile(): string {
  const entry = createRequire(import.meta.url).resolve(PGLITE);
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return join(tmpdir(), `nightshift-pglite-${pkg.version}-${process.getuid?.() ?? 0}.tar.gz`);
}

/** Written whole, then renamed: a concurrent reader sees the old file or the new one, never half. */
async function saveTemplate(db: PGlite): Promise<void> {
  const file = templateFile();
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()));
  await rename(tmp, file);
}
