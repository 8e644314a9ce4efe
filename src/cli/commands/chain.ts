// `nightshift chain run FILE` and `nightshift chain status <chain-id>`.
import { chainOutcome, chainStatus, loadChainFile, startChain } from '../../client/chains.js';
import { UsageError } from '../../support/usage-error.js';
import type { ChainView } from '../../protocol/chain.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

export async function chain(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return run(rest, ctx);
  if (sub === 'status') return status(rest, ctx);
  throw new UsageError(`chain: unknown subcommand "${sub ?? ''}" (try: run FILE, status <chain-id>)`);
}

async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, { wait: { type: 'boolean', short: 'w' } });
  const file = positionals[0];
  if (!file)
    throw new UsageError('chain file: missing (e.g. `nightshift chain run examples/refactor-review-fix.yaml`)');
  const spec = loadChainFile(file, ctx.config); // throws before anything is started
  const client = await ctx.client();
  await startChain(client, ctx.config, spec);
  if (!v.wait) {
    if (v.json) printJson({ chainId: spec.chainId });
    else process.stdout.write(`${spec.chainId}\n`);
    return 0;
  }
  const { view, error } = await chainOutcome(client, spec.chainId);
  if (v.json) printJson(view ?? { chainId: spec.chainId, error: error?.message });
  else if (view) printChain(view);
  else process.stderr.write(`${spec.chainId}: ${error?.message ?? 'unknown failure'}\n`);
  return view?.status === 'succeeded' ? 0 : 1;
}

async function status(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {});
  const id = positionals[0];
  if (!id) throw new UsageError('chain id: missing (e.g. `nightshift chain status chain-1a2b3c4d`)');
  const view = await chainStatus(await ctx.client(), id);
  if (v.json) printJson(view);
  else printChain(view);
  return 0;
}

const out = (line = ''): boolean => process.stdout.write(line + '\n');

function printChain(c: ChainView): void {
  out(`${c.chainId}  ${c.name}  ${c.status}`);
  out(`  workspace ${c.workspace} (branch ${c.branch})`);
  for (const s of c.steps) {
    const secs = s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1)}s` : '-';
    const tokens = s.tokens.input + s.tokens.output;
    out(
      `  ${(s.parallel ? '∥ ' : '') + s.id}`.padEnd(24) +
        `${s.state.padEnd(10)} ${(s.jobId ?? '-').padEnd(30)} attempts ${s.attempts}  ${secs.padStart(7)}  tokens ${tokens}`,
    );
    for (const f of s.failures) out(`      ${f.jobId}: ${f.status}${f.failureClass ? ` (${f.failureClass})` : ''}`);
  }
  const last = [...c.steps].reverse().find((s) => s.result?.finalText);
  if (last?.result) out(`\n${last.result.finalText}`);
}
