// `nightshift compare --backends a,b,c --prompt P …` (a bake-off) and `nightshift compare status <id>`.
import { compareOutcome, compareStatus, resolveCompare, startCompare } from '../../client/compares.js';
import { UsageError } from '../../support/usage-error.js';
import type { CompareEntry, CompareView } from '../../protocol/compare.js';
import { argvFlag, intFlag, parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

export const OPTIONS = {
  backends: { type: 'string' },
  prompt: { type: 'string', short: 'p' },
  repo: { type: 'string', short: 'r' },
  check: { type: 'string' },
  review: { type: 'string' },
  kind: { type: 'string', short: 'k' },
  timeout: { type: 'string' },
  id: { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  // Accepted for scripts written when compare waited by default; not waiting is the default now.
  'no-wait': { type: 'boolean' },
} as const;

export async function compare(argv: string[], ctx: CliContext): Promise<number> {
  if (argv[0] === 'status') return status(argv.slice(1), ctx);
  const { values: v, positionals } = parse(argv, OPTIONS);
  const prompt = v.prompt ?? (positionals.length ? positionals.join(' ') : undefined);
  if (prompt === undefined) throw new UsageError('prompt: missing (pass it with --prompt)');
  if (v.backends === undefined) throw new UsageError('--backends: missing (e.g. --backends claude,codex,opencode)');
  const check = argvFlag('check', v.check);
  const timeoutSeconds = intFlag('timeout', v.timeout);
  const spec = await resolveCompare(
    {
      backends: v.backends,
      prompt,
      ...(v.repo ? { repo: v.repo } : {}),
      ...(check ? { check } : {}),
      ...(v.review ? { review: v.review } : {}),
      ...(v.kind ? { kind: v.kind } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(v.id ? { compareId: v.id } : {}),
    },
    ctx.config,
  ); // throws before anything is started
  const client = await ctx.client();
  await startCompare(client, ctx.config, spec);
  // Like submit and chain run: start and print the id; --wait waits and prints the result.
  if (!v.wait) {
    if (v.json) printJson({ compareId: spec.compareId, jobIds: spec.specs.map((s) => s.jobId) });
    else out(spec.compareId);
    return 0;
  }
  const { view, error } = await compareOutcome(client, spec.compareId);
  if (v.json) printJson(view ?? { compareId: spec.compareId, error: error?.message });
  else if (view) printCompare(view);
  else process.stderr.write(`${spec.compareId}: ${error?.message ?? 'unknown failure'}\n`);
  // A backend that failed its check is a finding of the compare, not a failure of it.
  return view ? 0 : 1;
}

async function status(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {});
  const id = positionals[0];
  if (!id) throw new UsageError('compare id: missing (e.g. `nightshift compare status cmp-1a2b3c4d`)');
  const view = await compareStatus(await ctx.client(), id);
  if (v.json) printJson(view);
  else printCompare(view);
  return 0;
}

const out = (line = ''): boolean => process.stdout.write(line + '\n');

const HEADER = [
  'backend',
  'status',
  'wall',
  'turns',
  'files',
  'check',
  'review',
  'follow-up',
  'tokens in/out',
  'cost',
  'branch',
];

function cells(e: CompareEntry): string[] {
  const r = e.row;
  if (!r) return [e.backend, e.state, '-', '-', '-', '-', '-', '-', '-', '-', '-'];
  return [
    r.backend,
    r.status + (r.failureClass ? ` (${r.failureClass})` : ''),
    `${(r.wallMs / 1000).toFixed(1)}s`,
    r.turns !== undefined ? String(r.turns) : '-',
    String(r.filesCount),
    r.check,
    r.review,
    r.followUp ? 'yes' : 'no',
    `${r.tokens.input}/${r.tokens.output}`,
    r.costUsd !== undefined ? `$${r.costUsd.toFixed(4)}` : '-',
    r.branch ?? '-',
  ];
}

export function printCompare(c: CompareView): void {
  out(`${c.compareId}  ${c.status}  ${c.prompt.length > 60 ? `${c.prompt.slice(0, 57)}...` : c.prompt}`);
  const rows = [HEADER, ...c.backends.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    out(
      '  ' +
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
    );
  for (const e of c.backends) {
    if (e.row?.filesTouched.length)
      out(`  ${e.backend}: ${e.row.filesTouched.join(', ')}${e.row.commit ? ` @ ${e.row.commit.slice(0, 12)}` : ''}`);
    if (e.row?.commitError) out(`  ${e.backend}: commit failed: ${e.row.commitError}`);
  }
}
