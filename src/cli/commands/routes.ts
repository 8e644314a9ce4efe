// `nightshift routes [--json]`: per kind, what `auto` would choose now and why, with each candidate's figures.
import { autoCandidates, unavailableOf } from '../../client/auto-route.js';
import { chooseBackend, routeScore } from '../../client/route-choice.js';
import { EngineUnreachableError } from '../../client/connect.js';
import { capacityView } from '../../client/jobs.js';
import type { Config } from '../../config/schema.js';
import { openLedger } from '../../ledger/db.js';
import { ledgerUrl } from '../../ledger/url.js';
import type { RouteFigures } from '../../protocol/job.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

const DAY_MS = 86_400_000;

export async function routes(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parse(argv, {});
  if (positionals.length) throw new UsageError(`routes: unexpected argument "${positionals[0] ?? ''}"`);
  const config = ctx.config;
  const since = Date.now() - config.routing.windowDays * DAY_MS;
  const ledger = await openLedger(ledgerUrl(config)); // unreachable: exit 3, the URL's password masked
  let figures: RouteFigures[];
  try {
    figures = await ledger.routing(since);
  } finally {
    await ledger.close();
  }
  const unavailable = await unavailableNow(ctx);
  const kinds = kindsOf(config).map((kind) => {
    const candidates = autoCandidates(config, kind);
    const decision = chooseBackend(kind, figures, candidates, unavailable ?? {}, config.routing);
    const rows = candidates.map((backend) => candidateRow(kind, backend, figures, unavailable));
    return {
      kind,
      route: config.routes[kind]?.backend ?? null,
      backend: decision.backend,
      reason: decision.reason,
      candidates: rows,
    };
  });
  if (v.json) {
    printJson({ since: new Date(since).toISOString(), ...config.routing, capacityKnown: Boolean(unavailable), kinds });
    return 0;
  }
  const out = [`jobs finished since ${new Date(since).toISOString()}; ranked with ≥ ${config.routing.minSamples} jobs`];
  if (!unavailable) out.push('(the engine is not reachable: limited and auth-broken backends unknown)');
  for (const k of kinds)
    out.push('', `${k.kind}  (route: ${k.route ?? 'none'})`, `  ${k.reason}`, ...table(k.candidates));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** Every kind a job may have (`estimates`) and every routed one. */
const kindsOf = (config: Config): string[] =>
  [...new Set([...Object.keys(config.estimates), ...Object.keys(config.routes)])].sort();

/** Limited and auth-broken backends now; undefined when the engine is not reachable (the figures still print). */
async function unavailableNow(ctx: CliContext): Promise<Record<string, string> | undefined> {
  try {
    return unavailableOf(await capacityView(await ctx.client(), ctx.config));
  } catch (err) {
    if (err instanceof EngineUnreachableError) return undefined;
    throw err;
  }
}

function candidateRow(kind: string, backend: string, figures: RouteFigures[], unavailable?: Record<string, string>) {
  const f = figures.find((r) => r.kind === kind && r.backend === backend);
  return {
    backend,
    ...(unavailable?.[backend] ? { unavailable: unavailable[backend] } : {}),
    score: f ? routeScore(f) : null,
    jobs: f?.jobs ?? 0,
    succeeded: f?.succeeded ?? 0,
    firstPass: f?.firstPass ?? 0,
    revised: f?.revised ?? 0,
    cancelled: f?.cancelled ?? 0,
    costPerSuccess: f?.costPerSuccess ?? null,
    p50DurationMs: f?.p50DurationMs ?? null,
  };
}

function table(rows: ReturnType<typeof candidateRow>[]): string[] {
  const header = ['backend', 'jobs', 'first-pass', 'revised', 'score', '$/success', 'p50', ''];
  const cells = rows.map((r) => [
    r.backend,
    String(r.jobs),
    String(r.firstPass),
    String(r.revised),
    r.score === null ? '-' : `${Math.round(100 * r.score)}%`,
    r.costPerSuccess === null ? '-' : `$${r.costPerSuccess.toFixed(2)}`,
    r.p50DurationMs === null ? '-' : `${(r.p50DurationMs / 1000).toFixed(1)}s`,
    r.unavailable ?? '',
  ]);
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map(
    (row) =>
      '  ' +
      row
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}
