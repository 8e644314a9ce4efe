// What the egress proxy adds to an agent's start: spawn → the first request at its model server, in bubblewrap with
// the host network (`sandbox.agentNetwork: host`) and in its own namespace through the proxy (`proxy`), interleaved.
// Run: node --import tsx bench/egress.ts [--rounds N]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { adapterFor, resolveCommand } from '../src/agents/registry.js';
import { runContextOf } from '../src/agents/run.js';
import { parseConfig } from '../src/config/load.js';
import { bwrapOnHost } from '../src/sandbox/detect.js';
import { agentNetwork } from '../src/sandbox/egress-policy.js';
import { sandboxed } from '../src/sandbox/wrap.js';
import { makeRepo } from '../test/support/repo.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? NaN;
if (!bwrapOnHost().path) throw new Error(`no sandbox to measure: ${bwrapOnHost().error}`);

// The "model": notes when the round's first request arrives, answers 503 (the CLI is killed right after).
let arrived: ((t: number) => void) | undefined;
const model = createServer((q, r) => {
  arrived?.(performance.now());
  arrived = undefined;
  q.resume();
  r.writeHead(503).end();
});
await new Promise<void>((ok) => model.listen(0, '127.0.0.1', () => ok()));
const baseUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;

const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-egress-'));
const repo = await makeRepo();
const workspace = join(dataDir, 'worktrees', 'bench');
await execa('git', ['worktree', 'add', '-q', '-b', 'bench', workspace], { cwd: repo });
const raw = {
  dataDir,
  backends: {
    claude: { baseUrl, env: { ANTHROPIC_API_KEY: 'sk-ant-bench' } },
    command: { command: '/bin/sh', extraArgs: ['-c', `curl -s -o /dev/null ${baseUrl}/v1/messages`] },
  },
};
const configs = {
  host: parseConfig({ ...raw, sandbox: { agentNetwork: 'host' } }),
  // The command agent has no model endpoint of its own: its curl's target is listed like any allowed host.
  proxy: parseConfig({ ...raw, sandbox: { agentNetwork: 'proxy', allowHosts: [new URL(baseUrl).host] } }),
};
type Way = keyof typeof configs;

/** One start: spawn → first request (ms), then the process group is killed. */
async function once(backend: string, way: Way): Promise<number> {
  const config = configs[way];
  const adapter = adapterFor(backend);
  const spec = { backend, prompt: 'hi', jobId: 'bench', timeoutSeconds: 60 } as Parameters<typeof runContextOf>[0];
  const ctx = await runContextOf(spec, { path: workspace } as Parameters<typeof runContextOf>[1], config);
  const state = adapter.prepare ? await adapter.prepare(ctx) : undefined;
  const inv = await sandboxed({
    mode: 'bwrap',
    invocation: adapter.invocation(ctx, state),
    cwd: workspace,
    own: adapter.ownEnv,
    stateDir: ctx.stateDir,
    network: agentNetwork(backend, ctx.config, config),
    config,
  });
  const first = new Promise<number>((ok) => (arrived = ok));
  const t0 = performance.now();
  const child = spawn(inv.command, inv.args, { env: inv.env, cwd: workspace, stdio: 'ignore', detached: true });
  const timeout = new Promise<number>((ok) => setTimeout(() => ok(NaN), 60_000));
  const t = await Promise.race([first, timeout]);
  try {
    process.kill(-(child.pid ?? 0), 'SIGKILL');
  } catch {
    // already gone
  }
  await new Promise((ok) => (child.exitCode !== null ? ok(null) : child.once('exit', ok)));
  await inv.release();
  return t - t0;
}

console.log(`egress proxy start overhead — ${rounds} rounds per backend, host/proxy interleaved, one run`);
console.log('| agent | host p50 | proxy p50 | added p50 | ratio p50 | host p90 | proxy p90 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const backend of ['command', 'claude']) {
  if (backend === 'claude') resolveCommand('claude', configs.host); // throws when the CLI is not installed
  const host: number[] = [];
  const proxy: number[] = [];
  await once(backend, 'proxy'); // warm-up: page cache, the first exec
  for (let i = 0; i < rounds; i++) {
    host.push(await once(backend, 'host'));
    proxy.push(await once(backend, 'proxy'));
  }
  const [a, b] = [pct(host, 0.5), pct(proxy, 0.5)];
  const label = backend === 'command' ? 'command (curl)' : 'claude (real CLI)';
  console.log(
    `| ${label} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(b - a).toFixed(1)} ms | ${(b / a).toFixed(2)}× | ${pct(host, 0.9).toFixed(1)} ms | ${pct(proxy, 0.9).toFixed(1)} ms |`,
  );
}
model.close();
