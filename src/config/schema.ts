import { cpus, hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE, HOST_ID } from '../protocol/ids.js';
import { HttpConfigSchema, MetricsConfigSchema, NotifyConfigSchema } from './operator-schema.js';
import { BudgetsConfigSchema } from './budget-schema.js';
import { McpConfigSchema } from './mcp-schema.js';

const int = (min: number) => z.number().int().min(min);

// The seed's numbers are the defaults; unknown keys are errors (strictObject).
export const CapacityConfigSchema = z.strictObject({
  maxSlots: int(1).default(20),
  reservedOperatorSlots: int(0).default(1),
  tokenBudget: int(1).default(2_000_000),
  windowSeconds: int(1).default(300),
  backpressureQueueDepth: int(1).default(20),
  backpressureTokenRatio: z.number().gt(0).max(1).default(0.8),
  reconcileSeconds: int(1).default(30),
  /** Continue-as-new after this many history events even if the server does not suggest it yet. */
  continueAsNewEvents: int(50).default(4000),
});

export const BackendConfigSchema = z.strictObject({
  /** Executable to spawn; resolved on PATH, then in node_modules/.bin of nightshift. */
  command: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  /** The model API's base URL (an OpenAI/Anthropic/Gemini-compatible endpoint); the CLI's default when unset. */
  baseUrl: z.url().optional(),
  /** Extra environment for the CLI (not logged, not put in payloads). */
  env: z.record(z.string(), z.string()).default({}),
  extraArgs: z.array(z.string()).default([]),
});

export const RouteSchema = z.strictObject({
  /** A backend, or `auto`: chosen at submit from the ledger's recent figures (see `routing`). */
  backend: z.string().min(1),
  fallbacks: z.array(z.string().min(1)).default([]),
});

export const JobDefaultsSchema = z.strictObject({
  timeoutSeconds: int(1).default(1800),
  hangTimeoutSeconds: int(1).default(300),
  heartbeatSeconds: int(1).default(10),
  maxAttempts: int(1).default(3),
  outputLimitBytes: int(1024).default(5 * 1024 * 1024),
  rateLimitFallbackSeconds: int(1).default(60),
  /** After a job's commit: remove its worktree directory (`never` keep), keep failed jobs' (`failed`), or keep all. */
  keepWorktrees: z.enum(['never', 'failed', 'always']).default('failed'),
  /** Kind → token cap for its jobs' agent runs, when a job gives no `--max-tokens`. */
  maxTokensByKind: z.record(z.string(), int(1)).default({}),
  /** Kind → cost cap (USD) for its jobs' agent runs, when a job gives no `--max-cost`. */
  maxCostUsdByKind: z.record(z.string(), z.number().positive()).default({}),
});

/** A repo's bootstrap: `setup` runs in each fresh worktree before the agent (e.g. `npm ci`). */
export const RepoConfigSchema = z.strictObject({
  /** A local path (the repo or a parent dir) or a URL; `*` matches any run of characters. */
  match: z.string().min(1),
  setup: z.array(z.string().min(1)).min(1),
  setupTimeoutSeconds: int(1).default(900),
  /** ENV_NAME → a directory shared by every worktree's setup (relative: under the data dir), e.g. npm_config_cache. */
  cacheDirs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string().min(1))
    .default({}),
  /** ENV_NAME → value set for the setup, which otherwise sees only PATH, locale, proxies and CA bundles of the worker. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string()).default({}),
});

export const ConfigSchema = z.strictObject({
  temporal: z
    .strictObject({
      address: z.string().min(1).optional(),
      namespace: z.string().min(1).default('default'),
      taskQueue: z.string().min(1).default(DEFAULT_TASK_QUEUE),
      devPort: int(1).default(7233),
      devUiPort: int(1).default(8233),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('.nightshift'),
  capacity: CapacityConfigSchema.prefault({}),
  /** Per-kind token estimates charged at grant time. */
  estimates: z.record(z.string(), int(0)).default({
    llm: 50_000,
    'coding-agent': 200_000,
    codex: 200_000,
    'writing-review': 100_000,
  }),
  /** Kind → backend and ordered fallbacks, used when a job names no backend (`--backend` pins one). */
  routes: z.record(z.string(), RouteSchema).default({}),
  /** `auto` routing: the ledger's window, the samples a backend needs to be ranked, the share spent exploring. */
  routing: z
    .strictObject({
      windowDays: z.number().positive().default(14),
      minSamples: int(1).default(10),
      explore: z.number().min(0).max(1).default(0.1),
      /** The backends auto chooses among (default: every backend in `backends`, and `defaultBackend`). */
      candidates: z.array(z.string().min(1)).min(1).optional(),
    })
    .prefault({}),
  defaultBackend: z.string().default('claude'),
  failover: z
    .strictObject({
      /** A rate limit that resets later than this moves the job to its next backend instead of waiting. */
      maxWaitSeconds: int(0).default(300),
    })
    .prefault({}),
  /** Portable instructions, written into each workspace under the name its backend reads. */
  instructions: z.string().min(1).optional(),
  /** …or read from this file (relative to the working directory). */
  instructionsFile: z.string().min(1).optional(),
  backends: z.record(z.string(), BackendConfigSchema).default({}),
  jobs: JobDefaultsSchema.prefault({}),
  repos: z.array(RepoConfigSchema).default([]),
  /**
   * Where jobs from the HTTP API or MCP may work: absolute directories (a repo at or under one, after realpath) or
   * git URL prefixes/patterns (`https://github.com/acme/*`). Empty: none (the CLI is not limited).
   */
  repoRoots: z.array(z.string().min(1)).default([]),
  land: z
    .strictObject({
      /** How a job's branch goes onto its target: rebased (a linear history) or merged (a merge commit). */
      strategy: z.enum(['rebase', 'merge']).default('rebase'),
      /** A merge queue with nothing to land for this long completes (the next `land` starts it again). */
      idleSeconds: int(1).default(600),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      /** A warm session with no job for this long closes (fractions allowed: 0.5 = 30 s). */
      idleMinutes: z.number().positive().default(60),
      /** A session continues as new after this many history events, carrying its queue and state. */
      continueAsNewEvents: int(10).default(2000),
    })
    .prefault({}),
  worker: z
    .strictObject({
      /** Names this host in a fleet: its own task queue, the ledger's `host` column, `nightshift workers`. */
      hostId: z.string().regex(HOST_ID, 'letters, digits, ".", "-", "_" (at most 63)').default(defaultHostId),
      /** Agent CLIs this host runs at once; more wait for a slot (see README: two per core). */
      maxAgents: int(1).default(() => Math.max(2, 2 * cpus().length)),
      /** A host whose queue has no poller for this long is gone: its jobs prepare their workspace elsewhere. */
      hostLostSeconds: int(1).default(30),
    })
    .prefault({}),
  ledger: z
    .strictObject({
      /** A PostgreSQL URL shared by the fleet; unset = the embedded ledger `nightshift dev` serves on devPort. */
      url: z.string().min(1).optional(),
      devPort: int(1).default(7244),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      /** bwrap: every agent and check in bubblewrap; off: unconfined. Unset: bwrap where bubblewrap works. */
      mode: z.enum(['bwrap', 'off']).optional(),
      /** Checks run with no network (their own empty network namespace) unless this is true. */
      checkNetwork: z.boolean().default(false),
      /**
       * proxy: every agent in its own network namespace whose only way out is the worker's egress proxy (its model
       * endpoint and allowHosts); none: no network at all; host: the host's network, loopback services included.
       */
      agentNetwork: z.enum(['proxy', 'none', 'host']).default('proxy'),
      /** A loopback baseUrl: forward (bridged in at its port, dialled directly) or proxy (through the egress proxy). */
      loopbackModel: z.enum(['forward', 'proxy']).default('forward'),
      /** Hosts agents (and checks with checkNetwork) may reach through the proxy: host, host:port or *.domain. */
      allowHosts: z
        .array(
          z
            .string()
            .regex(/^((\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i, 'a host, host:port or *.domain'),
        )
        .default([]),
      /** Whether a job may ask for `--sandbox off`. */
      allowJobOff: z.boolean().default(false),
      /** Extra paths every sandboxed process may read (e.g. a toolchain under the worker's hidden home)… */
      readOnly: z.array(z.string().min(1)).default([]),
      /** …or write (e.g. a shared cache); relative paths are from the working directory. */
      writable: z.array(z.string().min(1)).default([]),
      /**
       * Ceilings per agent, check and setup run (its own cgroup; see src/sandbox/limits.ts for what a host
       * enforces): passing one fails that run as ResourceLimit, never the worker. 0 = no ceiling.
       */
      limits: z
        .strictObject({
          /** Processes and threads at once (a fork bomb stops here). */
          maxProcesses: int(0).default(512),
          /** Resident memory in MiB (the run is OOM-killed past it); not virtual size. */
          memoryMb: int(0).default(4096),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The HTTP API and dashboard (`nightshift dev`, `nightshift serve`). */
  http: HttpConfigSchema.prefault({}),
  metrics: MetricsConfigSchema.prefault({}),
  notify: NotifyConfigSchema.prefault({}),
  /** Spend limits in USD per rolling window: a spent budget holds new background work (see README: Budgets). */
  budgets: BudgetsConfigSchema.prefault({}),
  /** Jobs agents submit through `nightshift mcp`, and the slots of jobs that mount it. */
  mcp: McpConfigSchema.prefault({}),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type CapacityConfig = z.infer<typeof CapacityConfigSchema>;
export type BackendConfig = z.infer<typeof BackendConfigSchema>;
export type RepoConfig = z.infer<typeof RepoConfigSchema>;

/** The hostname, made a valid host id (containers and some hosts have dots or other characters). */
function defaultHostId(): string {
  const h = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return (h || 'host').slice(0, 63);
}
