import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { connect, createServer, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
const db = await PGlite.create();
const path = mkdtempSync('/tmp/lp/s-') + '/pg.sock';
const tcp = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 10 }); await tcp.start();
const unix = new PGLiteSocketServer({ db, path, maxConnections: 10 }); await unix.start();
const [thost, tport] = tcp.getServerConn().split(':');
function front(up: () => Socket) {
  const f = createServer({ pauseOnConnect: true }, (client) => { const u = up(); client.setNoDelay(true); client.pipe(u).pipe(client); client.resume(); });
  return new Promise<number>((r) => f.listen(0, '127.0.0.1', () => r((f.address() as { port: number }).port)));
}
const ports = { direct: Number(tport), viaTcp: await front(() => connect(Number(tport), thost)), viaUnix: await front(() => connect(path)) };
for (let round = 0; round < 2; round++) for (const [name, port] of Object.entries(ports)) {
  const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` }); await c.connect();
  const t = performance.now();
  for (let i = 0; i < 200; i++) await c.query('select $1::int + 1 as x', [i]);
  console.log(name, ((performance.now() - t) / 200).toFixed(2));
  await c.end();
}
process.exit(0);
