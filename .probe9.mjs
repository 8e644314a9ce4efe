import { writeFileSync, readFileSync } from 'node:fs';
const { PGlite } = await import('@electric-sql/pglite');
if (process.argv[2] === 'make') {
  const db = await PGlite.create({ loadDataDir: new Blob([readFileSync('/tmp/nightshift-pglite-0.5.14-0.tar.gz')]) });
  const d = await db.dumpDataDir('none');
  writeFileSync('/tmp/lp/tpl.tar', Buffer.from(await d.arrayBuffer()));
  console.log('raw size', (await d.arrayBuffer()).byteLength);
  await db.close();
} else {
  const t = performance.now();
  const db = await PGlite.create({ loadDataDir: new Blob([readFileSync('/tmp/lp/tpl.tar')]) });
  console.log('raw tpl', (performance.now() - t).toFixed(0));
  await db.close();
}
