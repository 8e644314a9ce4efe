// What the git discipline costs at a job's end: prepare a worktree, write a few files, finish it (commit, remove),
// N times on a real repo; p50/p90 of the finish alone.
// Run: node --import tsx bench/finish-workspace.ts [--rounds N]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.js';
import { finishWorkspace } from '../src/workspace/finish.js';
import { prepareWorkspace } from '../src/workspace/prepare.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { makeRepo } from '../test/support/repo.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Number(values.rounds);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? NaN;

const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-finish-'));
const config = parseConfig({ dataDir, sandbox: { mode: 'off' }, jobs: { keepWorktrees: 'never' } });
const files: Record<string, string> = {};
for (let i = 0; i < 200; i++) files[`f${i}.txt`] = `file ${i}\n`;
const repo = await makeRepo({ 'README.md': '# bench\n', ...files });
const times: number[] = [];
for (let i = 0; i < rounds; i++) {
  const spec = resolveJobSpec({ backend: 'command', prompt: 'bench', repo, workspace: 'worktree' }, config);
  const ws = await prepareWorkspace(spec, config);
  for (let f = 0; f < 5; f++) writeFileSync(join(ws.path, `new-${f}.txt`), `round ${i} file ${f}\n`);
  writeFileSync(join(ws.path, 'README.md'), `# bench ${i}\n`);
  const t0 = performance.now();
  const out = await finishWorkspace(
    { workspace: ws, jobId: spec.jobId, title: 'bench', failed: i % 2 === 1, fixed: false, push: false, exclude: [] },
    config,
  );
  times.push(performance.now() - t0);
  if (!out.commit || !out.removed) throw new Error(`round ${i}: ${JSON.stringify(out)}`);
}
console.log(
  `finishWorkspace over ${rounds} rounds: p50 ${pct(times, 0.5).toFixed(1)} ms, p90 ${pct(times, 0.9).toFixed(1)} ms`,
);
