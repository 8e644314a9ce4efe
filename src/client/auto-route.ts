// `auto` routing: the backend a job runs on, chosen at submit from the ledger's recent figures per kind.
import type { Client } from '@temporalio/client';
import { adapterFor, resolveCommand } from '../agents/registry.js';
import type { Config } from '../config/schema.js';
import type { CapacityView } from '../protocol/capacity.js';
import { newJobId } from '../protocol/ids.js';
import type { JobSpec, RouteFigures } from '../protocol/job.js';
import { chooseBackend, type AutoDecision, type RoutingSource } from './route-choice.js';
import { AUTO, JobInputSchema, resolveJobSpec } from './job-input.js';
import { capacityView } from './jobs.js';

const DAY_MS = 86_400_000;

const resolves = (config: Config) => (name: string) => {
  try {
    adapterFor(name);
    resolveCommand(name, config);
    return true;
  } catch {
    return false; // an unknown backend or a CLI not installed here is no candidate
  }
};

/** `routing.candidates`, else `defaultBackend` and every configured backend; the kind's route first; CLIs that resolve. */
export function autoCandidates(config: Config, kind: string): string[] {
  const base = config.routing.candidates ?? [config.defaultBackend, ...Object.keys(config.backends)];
  const route = config.routes[kind];
  const routed = route ? [route.backend, ...route.fallbacks].filter((b) => base.includes(b)) : [];
  return [...new Set([...routed, ...base])].filter((b) => b !== AUTO).filter(resolves(config));
}

/** Backends new jobs skip: rate-limited (until later than `now`) or auth-broken, with why. */
export function unavailableOf(view: Pick<CapacityView, 'limitedBackends' | 'authBroken'>, now = Date.now()) {
  const out: Record<string, string> = {};
  for (const [b, until] of Object.entries(view.limitedBackends)) if (until > now) out[b] = 'rate-limited';
  for (const b of Object.keys(view.authBroken)) out[b] = 'auth broken';
  return out;
}

/** The job asks for `auto`: `--backend auto`, or no backend and its kind's route is `auto`. */
export function wantsAuto(raw: Record<string, unknown>, config: Config): boolean {
  if (raw['backend'] !== undefined) return raw['backend'] === AUTO;
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : JobInputSchema.shape.kind.parse(undefined);
  return config.routes[kind]?.backend === AUTO;
}

export interface AutoResolved {
  /** The input with the chosen backend (and a job id: the explore draw is its hash). */
  raw: Record<string, unknown>;
  decision: AutoDecision;
  /** A route of `auto`: its fallbacks (the chosen one left out); `--backend auto` pins the one chosen. */
  fallbacks: string[];
}

/** Picks the backend for an `auto` job from the ledger's window and the capacity view, before anything starts. */
export async function resolveAutoBackend(
  raw: Record<string, unknown>,
  config: Config,
  client: Client,
  ledger: RoutingSource,
): Promise<AutoResolved> {
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : JobInputSchema.shape.kind.parse(undefined);
  const jobId = typeof raw['jobId'] === 'string' ? raw['jobId'] : newJobId();
  const since = Date.now() - config.routing.windowDays * DAY_MS;
  // An unreachable ledger does not stop the job: no figures, so the route's first backend, and the reason says so.
  let unreachable = false;
  const figures = ledger.routing(since).catch((err: unknown) => {
    if (!(err instanceof Error) || err.name !== 'LedgerUnreachableError') throw err;
    unreachable = true;
    return [];
  });
  const [rows, view] = await Promise.all([figures, capacityView(client, config)]);
  const decision = chooseBackend(kind, rows, autoCandidates(config, kind), unavailableOf(view), {
    ...config.routing,
    jobId,
  });
  if (unreachable) decision.reason += ' (the ledger is unreachable: no figures)';
  const route = raw['backend'] === undefined ? config.routes[kind] : undefined;
  const fallbacks = (route?.fallbacks ?? []).filter((b) => b !== decision.backend).filter(resolves(config));
  return { raw: { ...raw, jobId, backend: decision.backend }, decision, fallbacks };
}

/** The resolved spec with auto's choice on it (and a route's fallbacks, which the pinned input dropped). */
export function withRoute(spec: JobSpec, resolved: AutoResolved): JobSpec {
  const route = { chosen: resolved.decision.backend, reason: resolved.decision.reason };
  return { ...spec, route, ...(resolved.fallbacks.length ? { fallbacks: resolved.fallbacks } : {}) };
}

/** A ledger handle as `auto`'s source: opened on the first read (a job that does not ask for `auto` never opens it). */
export const ledgerRouting = (handle: {
  get(): Promise<{ routing(since: number): Promise<RouteFigures[]> }>;
}): RoutingSource => ({ routing: async (since) => (await handle.get()).routing(since) });

/** The job's spec from its raw input, its backend chosen by `auto` first when it asks (CLI, HTTP and MCP alike). */
export async function resolveRoutedSpec(
  raw: Record<string, unknown>,
  config: Config,
  client: () => Promise<Client>,
  ledger: RoutingSource,
): Promise<JobSpec> {
  const auto = wantsAuto(raw, config) ? await resolveAutoBackend(raw, config, await client(), ledger) : undefined;
  const resolved = resolveJobSpec(auto?.raw ?? raw, config); // UsageError naming the field, before anything starts
  return auto ? withRoute(resolved, auto) : resolved;
}
