// What the sandbox adds to an agent's start: the same command from spawn to its first line of output, unconfined
// (the environment cut to its keys only) and in bubblewrap, interleaved in one run; medians and their ratio.
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

/** Spawn → first stdout line, ms (what an agent start costs before the CLI does anything). */
async function firstLine(mode: SandboxMode, command: string, args: string[]): Promise<number> {
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
  return first;
}

console.log(`sandbox start overhead — ${rounds} rounds per command, interleaved, one run`);
console.log('| command | unconfined p50 | bwrap p50 | added p50 | ratio p50 | unconfined p90 | bwrap p90 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, [command, args]] of Object.entries(COMMANDS)) {
  const off: number[] = [];
  const on: number[] = [];
  await firstLine('bwrap', command, args); // warm-up: page cache, bwrap's first exec
  for (let i = 0; i < rounds; i++) {
    off.push(await firstLine('off', command, args));
    on.push(await firstLine('bwrap', command, args));
  }
  const [a, b] = [pct(off, 0.5), pct(on, 0.5)];
  console.log(
    `| ${name} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(b - a).toFixed(1)} ms | ${(b / a).toFixed(2)}× | ${pct(off, 0.9).toFixed(1)} ms | ${pct(on, 0.9).toFixed(1)} ms |`,
  );
}
