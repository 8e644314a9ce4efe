// A real Temporal dev server (the official CLI binary) and a worker on a fresh task queue per test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, type NativeConnection } from '@temporalio/worker';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/protocol/search-attributes.js';
import type { Activities } from '../../src/protocol/activities.js';
import { requireTemporalCli } from '../../src/dev/temporal-cli.js';
import { createWorker, type HostWorker } from '../../src/worker/worker.js';
import { sharedLedgerUrl } from './postgres.js';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Also this process's embedded ledger (booting beside the server): the CLIs a test runs reach it by the env. */
export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const ledger = sharedLedgerUrl();
  ledger.catch(() => undefined); // reported below (or by startWorker)
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli() },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error'],
    },
  });
  try {
    process.env['NIGHTSHIFT_LEDGER_URL'] = await ledger; // never a ledger of the shell's (a fleet's)
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

let queueCounter = 0;

export interface Harness {
  config: Config;
  worker: HostWorker;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A worker on a fresh task queue with its own data dir; `raw` is merged into the config.
 * `reuse` takes an earlier harness's queue and data dir: a restarted worker picks up where it stopped.
 * `activities` replace the real ones by name (the rest stay real): workflow tests script the agent this way.
 */
export async function startWorker(
  env: TestWorkflowEnvironment,
  raw: Record<string, unknown> = {},
  reuse?: { taskQueue: string; dataDir: string; connection?: NativeConnection },
  activities?: Partial<Activities>,
): Promise<Harness> {
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'nightshift-test-'));
  const taskQueue = reuse?.taskQueue ?? `test-${process.pid}-${Date.now()}-${++queueCounter}`;
  // The server's address too, as a deployment's config has it (a brain's mounted MCP server connects there).
  const temporal = { address: env.address, ...((raw['temporal'] as object | undefined) ?? {}), taskQueue };
  // Workers record every job at its end: unless the test names a ledger, this process's shared embedded one.
  const given = raw['ledger'] as { url?: string } | undefined;
  const ledger = { ...given, url: given?.url ?? (await sharedLedgerUrl()) };
  // Engine tests drive the capacity singleton's slots, not one host's agent cap (the no-crash tests set their own).
  const worker = { maxAgents: 50, ...((raw['worker'] as object | undefined) ?? {}) };
  const config = parseConfig({ ...raw, dataDir, temporal, ledger, worker });
  // A second worker on one queue needs a connection of its own (the SDK registers one worker per queue on each).
  const deps = { config, client: env.client, connection: reuse?.connection ?? env.nativeConnection };
  const host = await createWorker(activities ? { ...deps, activities } : deps);
  const running = host.run();
  return {
    config,
    worker: host,
    dataDir,
    async stop() {
      if (host.getState() === 'RUNNING') host.shutdown();
      await running;
    },
  };
}
