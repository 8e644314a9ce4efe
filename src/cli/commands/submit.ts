import { argvFlag, intFlag, parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { ledgerRouting, resolveRoutedSpec } from '../../client/auto-route.js';
import { jobOutcome } from '../../client/jobs.js';
import { submitJob } from '../../client/submit-job.js';
import { ledgerHandle } from '../../ledger/handle.js';
import { ledgerUrl } from '../../ledger/url.js';
import { UsageError } from '../../support/usage-error.js';
import { printResult } from '../format.js';
import { submitToSessionCli } from './sessions.js';

export const OPTIONS = {
  prompt: { type: 'string', short: 'p' },
  kind: { type: 'string', short: 'k' },
  backend: { type: 'string', short: 'b' },
  lane: { type: 'string', short: 'l' },
  repo: { type: 'string', short: 'r' },
  workspace: { type: 'string' },
  check: { type: 'string' },
  model: { type: 'string', short: 'm' },
  timeout: { type: 'string' },
  'hang-timeout': { type: 'string' },
  'max-attempts': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  id: { type: 'string' },
  resume: { type: 'string' },
  'fix-rounds': { type: 'string' },
  review: { type: 'string' },
  'review-rounds': { type: 'string' },
  'review-model': { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  session: { type: 'string' },
  land: { type: 'boolean' },
  onto: { type: 'string' },
  resolve: { type: 'string' },
  sandbox: { type: 'string' },
  mcp: { type: 'boolean' },
} as const;

type Defaults = { lane?: string; kind?: string; workspace?: string; wait?: boolean };

/** Submit flags → the raw job input (validated later by resolveJobSpec) and the flags that steer the CLI. */
export function jobInputFromArgv(argv: string[], defaults: Defaults = {}) {
  const { values: v, positionals } = parse(argv, OPTIONS);
  const prompt = v.prompt ?? (positionals.length ? positionals.join(' ') : undefined);
  if (prompt === undefined) throw new UsageError('prompt: missing (pass it as an argument or with --prompt)');
  const raw = dropUndefined({
    prompt,
    kind: v.kind ?? defaults.kind,
    backend: v.backend,
    lane: v.lane ?? defaults.lane,
    repo: v.repo,
    workspace: v.workspace ?? defaults.workspace,
    check: argvFlag('check', v.check),
    model: v.model,
    timeoutSeconds: intFlag('timeout', v.timeout),
    hangTimeoutSeconds: intFlag('hang-timeout', v['hang-timeout']),
    maxAttempts: intFlag('max-attempts', v['max-attempts']),
    maxTokens: intFlag('max-tokens', v['max-tokens']),
    maxCostUsd: numberFlag('max-cost', v['max-cost']),
    jobId: v.id,
    resumeSessionId: v.resume,
    fixRounds: intFlag('fix-rounds', v['fix-rounds']),
    review: v.review,
    reviewRounds: intFlag('review-rounds', v['review-rounds']),
    reviewModel: v['review-model'],
    land: v.land,
    landOnto: v.onto,
    landResolve: v.resolve,
    sandbox: v.sandbox,
    mcp: v.mcp,
  });
  return { raw, v };
}

/** `submit` (background by default) and `ask` (operator lane, waits, prints the answer). */
export async function submit(argv: string[], ctx: CliContext, defaults: Defaults = {}): Promise<number> {
  const { raw, v } = jobInputFromArgv(argv, defaults);
  // A warm session runs the job in its own workflow, resuming its agent session.
  if (v.session !== undefined)
    return submitToSessionCli(v.session, raw, ctx, { wait: Boolean(v.wait ?? defaults.wait), json: Boolean(v.json) });
  const spec = await routedSpec(raw, ctx); // throws before anything is started
  const client = await ctx.client();
  await submitJob(client, ctx.config, spec); // an id already used (running or closed) is a usage error
  // `ask` prints only the answer on stdout: the job id goes to stderr, so the answer can be piped.
  if (defaults.lane === 'operator' && !v.json) process.stderr.write(`${spec.jobId}\n`);
  if (!(v.wait ?? defaults.wait)) {
    if (v.json) printJson({ jobId: spec.jobId });
    else process.stdout.write(`${spec.jobId}\n`);
    return 0;
  }
  const { result, error } = await jobOutcome(client, spec.jobId);
  if (v.json) printJson(result ?? { jobId: spec.jobId, error: error?.message });
  else if (result) printResult(result, defaults.lane === 'operator');
  else process.stderr.write(`${spec.jobId}: ${error?.message ?? 'unknown failure'}\n`);
  return result?.status === 'succeeded' || result?.status === 'no_op' ? 0 : 1;
}

/** A decimal flag (`--max-cost 0.5`): named in the error when it is not a number. */
function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got "${value}"`);
  return n;
}

/** `auto`: the ledger's figures and the capacity view choose the backend (the ledger opened for this only). */
async function routedSpec(raw: Record<string, unknown>, ctx: CliContext) {
  const handle = ledgerHandle(ledgerUrl(ctx.config)); // lazy: opened only when `auto` reads it
  try {
    return await resolveRoutedSpec(raw, ctx.config, () => ctx.client(), ledgerRouting(handle));
  } finally {
    await handle.close();
  }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined));
}
