// `nightshift backends check [--backend NAME ...]` (probe, clear what answers) and `backends clear NAME` (operator).
import type { Client } from '@temporalio/client';
import { probeBackend, type ProbeResult } from '../backend-probe.js';
import { clearBackendMark, defaultProbeSet, knownBackend } from '../../client/backends.js';
import { capacityView } from '../../client/jobs.js';
import type { CapacityView } from '../../protocol/capacity.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

export const OPTIONS = { backend: { type: 'string', multiple: true } } as const;
const USAGE = 'backends: expected `check [--backend NAME ...]` or `clear NAME`';
const out = (line: string): boolean => process.stdout.write(line + '\n');

export async function backends(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [sub, ...names] = positionals;
  if (sub === 'check') {
    if (names.length) throw new UsageError(`backends check: name backends with --backend, got "${names.join(' ')}"`);
    return check(values.backend ?? [], values.json === true, ctx);
  }
  if (sub === 'clear') {
    if (values.backend)
      throw new UsageError('--backend: not a flag of `backends clear` (e.g. `backends clear claude`)');
    if (!names.length) throw new UsageError('backend: missing (e.g. `nightshift backends clear claude`)');
    return clear(names, values.json === true, ctx);
  }
  throw new UsageError(`${USAGE} (got "${sub ?? ''}")`);
}

/** Probes each backend (in parallel); each that answers has its marks cleared. Exit 1 when any probe failed. */
async function check(wanted: string[], json: boolean, ctx: CliContext): Promise<number> {
  const given = wanted.map((name) => knownBackend('--backend', name)); // bad input: nothing is probed
  const names = given.length
    ? [...new Set(given)]
    : defaultProbeSet(ctx.config, await capacityView(await ctx.client(), ctx.config));
  const abort = new AbortController();
  const stop = (): void => abort.abort(); // Ctrl-C: the probes' process groups are killed, not left behind
  process.once('SIGINT', stop);
  const results = await Promise.all(names.map((b) => probeBackend(b, ctx.config, abort.signal))).finally(() =>
    process.off('SIGINT', stop),
  );
  if (!json) for (const r of results) out(probeLine(r));
  const client = await ctx.client();
  const marked = await capacityView(client, ctx.config);
  const cleared = await clearPassed(client, ctx, results, marked);
  if (json) printJson({ results, cleared });
  else if (cleared.length) out(`cleared: ${cleared.join(', ')}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** A passing probe clears the backend's marks; returns the backends that had one. */
async function clearPassed(client: Client, ctx: CliContext, results: ProbeResult[], view: CapacityView) {
  const cleared: string[] = [];
  for (const r of results.filter((x) => x.ok)) {
    const had = view.authBroken[r.backend] !== undefined || view.limitedBackends[r.backend] !== undefined;
    if ((await clearBackendMark(client, ctx.config, r.backend, 'probe')) && had) cleared.push(r.backend);
  }
  return cleared;
}

function probeLine(r: ProbeResult): string {
  const secs = `${(r.durationMs / 1000).toFixed(1)}s`.padStart(6);
  const what = r.ok ? 'ok' : (r.failureClass ?? 'failed');
  return `${r.backend.padEnd(9)} ${what.padEnd(14)} ${secs}  ${r.message.split('\n')[0] ?? ''}`.trimEnd();
}

/** An operator's clear, without a probe: the auth-broken mark and any rate-limit mark go. */
async function clear(names: string[], json: boolean, ctx: CliContext): Promise<number> {
  const backendsToClear = names.map((name) => knownBackend('backend', name));
  const client = await ctx.client();
  const view = await capacityView(client, ctx.config);
  const rows = [];
  for (const backend of backendsToClear) {
    const authBroken = view.authBroken[backend];
    const limitedUntil = view.limitedBackends[backend];
    await clearBackendMark(client, ctx.config, backend, 'operator'); // also when the view missed a mark just made
    rows.push({ backend, authBroken, limitedUntil, cleared: authBroken !== undefined || limitedUntil !== undefined });
  }
  if (json) printJson(rows);
  for (const r of json ? [] : rows) {
    if (!r.cleared) out(`${r.backend}: not marked; nothing to clear`);
    else if (r.authBroken)
      out(`${r.backend}: auth-broken mark cleared (since ${new Date(r.authBroken.since).toISOString()})`);
    else out(`${r.backend}: rate-limit mark cleared`);
  }
  return 0;
}
