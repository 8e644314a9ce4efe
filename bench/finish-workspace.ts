// What the git discipline costs at a job's end: prepare a worktree, write a few files, finish it (commit, remove),
// N times on a real repo (200 files); p50/p90 of the finish alone. `--baseline <checkout>` runs another checkout's
// prepare/finish (e.g. a `git worktree add` of the commit before) interleaved in the same run, and prints the ratio.
// Run: node --import tsx bench/finish-workspace.ts [--rounds N] [--baseline /path/to/old/checkout]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveJobSpec } from '../src/client/job-input.js';
import { parseConfig } from '../src/config/load.js';
import { finishWorkspace } from '../src/workspace/finish.js';
import { prepareWorkspace } from '../src/workspace/prepare.js';
import { makeRepo } from '../test/support/repo.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, baseline: { type: 'string' } } });
const rounds = Number(values.rounds);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? NaN;

type Impl = { prepare: typeof prepareWorkspace; finish: typeof finishWorkspace };
const impls: [string, Impl][] = [['now', { prepare: prepareWorkspace, finish: finishWorkspace }]];
if (values.baseline) {
  const from = (f: string) => import(pathToFileURL(join(values.baseline ?? '', 'src', 'workspace', f)).href);
  const old = {
    prepare: (await from('prepare.ts')).prepareWorkspace,
    finish: (await from('finish.ts')).finishWorkspace,
  };
  impls.unshift(['baseline', old as Impl]);
}

const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-finish-'));
const config = parseConfig({ dataDir, sandbox: { mode: 'off' }, jobs: { keepWorktrees: 'never' } });
const files: Record<string, string> = { 'README.md': '# bench\n' };
for (let i = 0; i < 200; i++) files[`f${i}.txt`] = `file ${i}\n`;
const repo = await makeRepo(files);

/** One prepare → write → finish; the finish's wall time (a failed job every other round: its -failed branch). */
async function once(impl: Impl, i: number): Promise<number> {
  const spec = resolveJobSpec({ backend: 'command', prompt: 'bench', repo, workspace: 'worktree' }, config);
  const ws = await impl.prepare(spec, config);
  for (let f = 0; f < 5; f++) writeFileSync(join(ws.path, `new-${f}.txt`), `round ${i} file ${f}\n`);
  writeFileSync(join(ws.path, 'README.md'), `# bench ${i}\n`);
  const input = { workspace: ws, jobId: spec.jobId, title: 'bench', failed: i % 2 === 1, fixed: false, push: false };
  const t0 = performance.now();
  const out = await impl.finish({ ...input, exclude: [] }, config);
  const ms = performance.now() - t0;
  if (!out.commit || !out.removed) throw new Error(`round ${i}: ${JSON.stringify(out)}`);
  return ms;
}

const times = new Map(impls.map(([name]) => [name, [] as number[]]));
for (let i = 0; i < rounds; i++) for (const [name, impl] of impls) times.get(name)?.push(await once(impl, i));
for (const [name, xs] of times) {
  console.log(
    `${name}: finishWorkspace p50 ${pct(xs, 0.5).toFixed(1)} ms, p90 ${pct(xs, 0.9).toFixed(1)} ms (${rounds} rounds)`,
  );
}
const base = times.get('baseline');
if (base) console.log(`ratio now/baseline (p50): ${(pct(times.get('now') ?? [], 0.5) / pct(base, 0.5)).toFixed(2)}`);
