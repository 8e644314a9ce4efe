// The embedded ledger: PGlite served over the Postgres wire protocol, so every process reaches it with `pg` and
// only this one process ever opens its files.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LedgerServer {
  /** A `postgres://` URL for `pg` (no password: PGlite takes any). */
  url: string;
  port: number;
  /** Resolves when PGlite is up (connections made before wait for it); rejects if it cannot start. */
  ready: Promise<void>;
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

/** Listening and ready: what `nightshift dev` and the demo wait for. */
export async function startLedgerServer(options: LedgerServerOptions): Promise<LedgerServer> {
  const server = await listenLedgerServer(options);
  try {
    await server.ready;
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/**
 * Binds the port first (a taken port fails before any file is opened), then boots PGlite behind it: a
 * connection that comes early waits for the database instead of being refused (PGlite takes seconds to start).
 */
export async function listenLedgerServer({ dir, port }: LedgerServerOptions): Promise<LedgerServer> {
  const clients = new Set<Socket>();
  const sockDir = await mkdtemp(join(tmpdir(), 'nightshift-ledger-'));
  const path = join(sockDir, 'pg.sock');
  const front = createServer({ pauseOnConnect: true });
  await listen(front, port).catch(async (err: unknown) => {
    await rm(sockDir, { recursive: true, force: true });
    throw err;
  });
  const booting = boot(dir, path);
  booting.catch(() => undefined); // reported through `ready`
  front.on('connection', (client: Socket) => {
    clients.add(client);
    client.once('close', () => clients.delete(client));
    booting.then(
      () => relay(client, path),
      () => client.destroy(),
    );
  });
  const bound = (front.address() as AddressInfo).port;
  return {
    url: `postgres://postgres@${HOST}:${bound}/postgres`,
    port: bound,
    ready: booting.then(() => undefined),
    async stop() {
      for (const c of clients) c.destroy();
      await new Promise((r) => front.close(r));
      await booting.then(stopInner, () => undefined);
      await rm(sockDir, { recursive: true, force: true });
    },
  };
}

interface Inner {
  db: PGlite;
  server: PGLiteSocketServer;
}

async function boot(dir: string | undefined, path: string): Promise<Inner> {
  const db = await openDatabase(dir);
  const server = new PGLiteSocketServer({ db, path, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, server };
}

async function stopInner({ db, server }: Inner): Promise<void> {
  await server.stop();
  await new Promise((r) => setImmediate(r)); // let the detached connections settle before the database closes
  await db.close();
}

/** Client ↔ PGlite's socket, byte for byte; either side closing closes the other. */
function relay(client: Socket, path: string): void {
  const upstream = connect(path);
  for (const [a, b] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    a.on('error', () => b.destroy()); // 'close' follows
    a.on('close', () => b.destroy());
  }
  client.setNoDelay(true); // the replies come in small writes: Nagle would hold each for the client's ACK
  client.pipe(upstream).pipe(client);
  client.resume();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `ledger: port ${port} on ${HOST} is in use (another \`nightshift dev\`?): stop it, or set ledger.devPort, or ledger.url to a PostgreSQL`,
              { cause: err },
            )
          : err,
      ),
    );
    server.listen(port, HOST, () => resolve());
  });
}

/**
 * Loaded on use, not at import: every CLI command imports this module (through `dev`), few start a ledger. The
 * specifier is a variable so that the linter's import graph does not parse PGlite's minified bundle (it overflows).
 */
const PGLITE = '@electric-sql/pglite';
const loadPglite = (): Promise<typeof import('@electric-sql/pglite')> => import(PGLITE);

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

/** Per PGlite version (its data format) and user (a shared /tmp); a plain tar (gunzip would cost a boot ~0.2 s). */
function templateFile(): string {
  const entry = createRequire(import.meta.url).resolve(PGLITE);
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return join(tmpdir(), `nightshift-pglite-${pkg.version}-${process.getuid?.() ?? 0}.tar`);
}

/** Written whole, then renamed: a concurrent reader sees the old file or the new one, never half. */
async function saveTemplate(db: PGlite): Promise<void> {
  const file = templateFile();
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()));
  await rename(tmp, file);
}
