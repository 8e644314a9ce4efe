// `nightshift demo`: the embedded dev server, a worker, the real claude CLI against a scripted model,
// a burst of background jobs that saturate the slots, and an operator `ask` that gets through.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { resolveJobSpec } from '../../client/job-input.js';
import { capacityView, jobOutcome, startJob } from '../../client/jobs.js';
import { parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { startHttpServer, type HttpServer } from '../../http/server.js';
import type { Client } from '@temporalio/client';
import { startAnthropicStub } from '../../dev/scripted-model/anthropic.js';
import { connectClient } from '../../client/connect.js';
import { startDevServer } from '../../dev/dev-server.js';
import { installSdkLogger } from '../../worker/sdk-logger.js';
import { createWorker } from '../../worker/worker.js';
import { intFlag, parse } from '../args.js';
import type { CliContext } from '../context.js';
import { printCapacity } from '../format.js';
import { printTable } from './stats.js';
import { diskUse, landResults } from './demo-land.js';
import { startLedgerServer } from '../../dev/ledger-server.js';
import { openLedger } from '../../ledger/db.js';
import { demoScript } from '../../dev/demo/demo-model.js';
import { demoRepo, freePort } from '../../dev/demo/demo-setup.js';
import { loginUrl } from './serve-http.js';

const say = (line = ''): boolean => process.stdout.write(line + '\n');

/** The dashboard on http.port (7700), or a free port when a running `nightshift dev` holds that one. */
async function demoDashboard(config: Config, client: Client): Promise<HttpServer> {
  try {
    return await startHttpServer({ config, client });
  } catch {
    return startHttpServer({ config: { ...config, http: { ...config.http, port: await freePort() } }, client });
  }
}

/** `--hold`: the story is told; the dashboard stays up (with its results) until Ctrl-C. */
async function holdDashboard(url: string, print: typeof say): Promise<void> {
  print(`\nThe dashboard stays up at ${url} — Ctrl-C ends the demo.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export async function demo(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, {
    jobs: { type: 'string' },
    slots: { type: 'string' },
    'keep-worktrees': { type: 'string' },
    hold: { type: 'boolean' },
  });
  const slots = intFlag('slots', values.slots) ?? 20;
  const jobs = intFlag('jobs', values.jobs) ?? slots + 2;
  mkdirSync(ctx.config.dataDir, { recursive: true });
  const dataDir = mkdtempSync(join(ctx.config.dataDir, 'demo-'));
  const stub = await startAnthropicStub(demoScript(2500));
  const server = await startDevServer(dataDir, await freePort(), await freePort());
  // Its own ledger too (a free port: a running `nightshift dev` holds the default one; no demo jobs in a fleet's).
  const ledgerServer = await startLedgerServer({ dir: join(dataDir, 'ledger', 'pglite'), port: 0 });
  const config = parseConfig({
    dataDir,
    temporal: { address: server.address, taskQueue: 'nightshift-demo' },
    ledger: { url: ledgerServer.url },
    capacity: { maxSlots: slots, reservedOperatorSlots: 1 },
    worker: { maxAgents: slots }, // the demo shows the lanes and slots, not one host's agent cap
    jobs: { keepWorktrees: values['keep-worktrees'] ?? 'failed' },
    backends: {
      claude: {
        baseUrl: stub.url,
        env: { HOME: join(dataDir, 'home'), ANTHROPIC_API_KEY: 'sk-demo-not-a-real-key' },
      },
    },
  });
  // The demo reads as a story on stdout; the engine's own log goes to a file beside its data.
  process.env['NIGHTSHIFT_LOG_FILE'] ??= join(dataDir, 'demo.log');
  installSdkLogger();
  const connection = await NativeConnection.connect({ address: server.address });
  const client = await connectClient(config);
  const worker = await createWorker({ config, client, connection });
  const running = worker.run();
  const http = await demoDashboard(config, client);
  try {
    say(
      `nightshift demo — Temporal dev server ${server.address} (UI ${server.uiUrl}), ${slots} slots (1 reserved for the operator lane)`,
    );
    const dash = loginUrl(http, true); // the demo's own data dir and token: shown so the link just works
    say(`   live dashboard: ${dash}  (open it now: the burst and the operator ask show up as they happen)`);
    const repo = await demoRepo(join(dataDir, 'repo'));
    say(`\n1. A burst of ${jobs} background claude jobs on ${repo}`);
    const ids: string[] = [];
    for (let i = 1; i <= jobs; i++) {
      const spec = resolveJobSpec(
        { prompt: `Write notes for task ${i}`, repo, lane: 'background', kind: 'llm' },
        config,
      );
      await startJob(client, config, spec);
      ids.push(spec.jobId);
    }
    for (let i = 0; i < 600; i++) {
      const v = await capacityView(client, config);
      if (v.lanes.background.running >= Math.min(jobs, slots - 1)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    say('\n2. The slots are saturated:');
    printCapacity(await capacityView(client, config));
    say('\n3. The operator asks (nightshift ask): ');
    const t0 = Date.now();
    const ask = resolveJobSpec(
      { prompt: 'How many slots are reserved for me?', lane: 'operator', kind: 'llm', workspace: 'none' },
      config,
    );
    await startJob(client, config, ask);
    const answer = await jobOutcome(client, ask.jobId);
    say(
      `   answer after ${((Date.now() - t0) / 1000).toFixed(1)}s (lease wait ${answer.result?.leaseWaitMs ?? '?'} ms): ${answer.result?.finalText ?? answer.error?.message}`,
    );
    say('\n4. Capacity after the ask:');
    printCapacity(await capacityView(client, config));
    say('\n5. Background results:');
    for (const id of ids) {
      const { result, error } = await jobOutcome(client, id);
      say(
        `   ${id}  ${result?.status ?? 'failed'}  lease wait ${((result?.leaseWaitMs ?? 0) / 1000).toFixed(1)}s  files ${result?.filesChanged.join(',') ?? ''}  branch ${result?.branch ?? ''}${error && !result ? ` ${error.message}` : ''}`,
      );
    }
    say('\n6. nightshift stats --by lane (from the job ledger):');
    const ledger = await openLedger(ledgerServer.url);
    const stats = await ledger.stats('lane').finally(() => ledger.close());
    printTable('lane', stats.rows, stats.total, undefined);
    say('\n7. The morning: their commits land on main through the merge queue (nightshift land):');
    await landResults(client, config, ids, say);
    say('\n8. What the jobs left on disk (worktrees are removed once their work is committed):');
    await diskUse(dataDir, ids.length + 1, say);
    say(
      `\nWorktrees, job logs and the ledger are under ${dataDir}; the engine's log is ${process.env['NIGHTSHIFT_LOG_FILE']}.`,
    );
    if (values.hold) await holdDashboard(dash, say);
    return 0;
  } finally {
    await http.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
    await client.connection.close();
    await server.stop();
    await ledgerServer.stop();
    await stub.close();
  }
}
