import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'node:fs';
for (const mode of ['fresh', 'tpl', 'fresh', 'tpl']) {
  const db = await PGlite.create(mode === 'tpl' ? { loadDataDir: new Blob([readFileSync('/tmp/nightshift-pglite-0.5.14-0.tar')]) } : {});
  const t = performance.now();
  for (let i = 0; i < 200; i++) await db.query('select $1::int + 1 as x', [i]);
  console.log(mode, ((performance.now() - t) / 200).toFixed(2));
  await db.close();
}
