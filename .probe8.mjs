import { readFileSync } from 'node:fs';
const { PGlite } = await import('@electric-sql/pglite');
const mode = process.argv[2];
const t = performance.now();
const opts = mode === 'tpl' ? { loadDataDir: new Blob([readFileSync('/tmp/nightshift-pglite-0.5.14-0.tar.gz')]) } : mode === 'noinit' ? { } : {};
const db = await PGlite.create({ ...opts, debug: 0 });
console.log(mode, (performance.now() - t).toFixed(0));
await db.close();
