// What the sandbox adds to an agent's start and end: the same command from spawn to its first line of output and
// to its supervised result, unconfined (its keys only) and in bubblewrap, interleaved in one run; medians, ratios.
// Run: npm run bench:sandbox   (node --import tsx bench/sandbox.ts [--rounds N])
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { superviseAgent } from '../src/agents/process/supervise.js';
import { resolveCommand } from '../src/agents/registry.js';
import { parseConfig } from '../src/config/load.js';
import { bwrapOnHost, type SandboxMode } from '../src/sandbox/detect.js';
import { sandboxed } from '../src/sandbox/wrap.js';
import { makeRepo } from '../test/support/repo.js';
import { execa } from 'execa';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '40' } } });
const rounds = Number(values.rounds);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? NaN;

if (!bwrapOnHost().path) throw new Error(`no sandbox to measure: ${bwrapOnHost().error}`);
const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-sandbox-'));
const config = parseConfig({ dataDir });
// A git worktree, as a job's: the sandbox binds its git dirs too.
const repo = await makeRepo();
const workspace = join(dataDir, 'worktrees', 'bench');
await execa('git', ['worktree', 'add', '-q', '-b', 'bench', workspace], { cwd: repo });

const COMMANDS: Record<string, [string, string[]]> = {
  'sh (echo)': ['sh', ['-c', 'echo ready']],
  'node (a CLI start)': [process.execPath, ['-e', 'console.log("ready")']],
  'claude --version (the real CLI)': [resolveCommand('claude', config), ['--version']],
};

/**
 * Spawn → first stdout line, and spawn → the supervised result (the run over, its group reaped), ms: what an agent's
 * start costs before the CLI does anything, and what its end costs after it is done.
 */
async function timed(mode: SandboxMode, command: string, args: string[]): Promise<{ first: number; done: number }> {
  const invocation = await sandboxed({
    mode,
    invocation: { command, args, env: {} },
    cwd: workspace,
    own: [],
    stateDir: join(dataDir, 'backends', 'command'),
    network: { kind: 'host' }, // the bench measures bwrap's own start, not the egress bridge (bench/egress.ts does)
    config,
  });
  const t0 = performance.now();
  let first = NaN;
  const never = new AbortController().signal;
  await superviseAgent({
    invocation,
    cwd: workspace,
    outputFile: join(dataDir, 'out.jsonl'),
    outputLimit: 1_000_000,
    timeoutMs: 60_000,
    hangMs: 60_000,
    heartbeatMs: 1000,
    onLine: () => void (first = Number.isNaN(first) ? performance.now() - t0 : first),
    progress: () => undefined,
    watch: { heartbeat: () => undefined, signal: never, shuttingDown: () => false },
  });
  const done = performance.now() - t0;
  await invocation.release();
  return { first, done };
}

const row = (name: string, off: number[], on: number[]): string => {
  const [a, b] = [pct(off, 0.5), pct(on, 0.5)];
  const p90 = `${pct(off, 0.9).toFixed(1)} ms | ${pct(on, 0.9).toFixed(1)} ms`;
  return `| ${name} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(b - a).toFixed(1)} ms | ${(b / a).toFixed(2)}× | ${p90} |`;
};

console.log(`sandbox overhead — ${rounds} rounds per command, interleaved, one run`);
console.log(
  '| command: spawn → first line / → result | unconfined p50 | bwrap p50 | added p50 | ratio p50 | unconfined p90 | bwrap p90 |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, [command, args]] of Object.entries(COMMANDS)) {
  const off: { first: number; done: number }[] = [];
  const on: { first: number; done: number }[] = [];
  await timed('bwrap', command, args); // warm-up: page cache, bwrap's first exec
  for (let i = 0; i < rounds; i++) {
    off.push(await timed('off', command, args));
    on.push(await timed('bwrap', command, args));
  }
  console.log(
    row(
      `${name}: first line`,
      off.map((r) => r.first),
      on.map((r) => r.first),
    ),
  );
  console.log(
    row(
      `${name}: result`,
      off.map((r) => r.done),
      on.map((r) => r.done),
    ),
  );
}
