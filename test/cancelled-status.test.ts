// A chain or compare cancelled mid-way shows `cancelled` in `chain status` / `compare status`, not `running`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Context } from '@temporalio/activity';
import { ChainFileSchema } from '../src/client/chain-file.js';
import { chainStatus, resolveChain, startChain } from '../src/client/chains.js';
import { compareStatus, resolveCompare, startCompare } from '../src/client/compares.js';
import type { AgentSummary } from '../src/protocol/result.js';
import { nightshift } from './support/cli.js';
import { makeRepo } from './support/repo.js';
import { startStubbedWorker, stubBackends, useTemporal } from './support/stub-activities.js';

const t = useTemporal();
let started = 0;

/** An agent that runs until it is cancelled (heartbeats carry the cancel to it), as a long CLI run does. */
async function agentUntilCancelled(): Promise<AgentSummary> {
  started++;
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(200); // rejects with the cancellation once it is delivered
  }
}

const until = async (what: string, ok: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 300 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await ok(), `timed out waiting for ${what}`);
};

test('a cancelled chain and a cancelled compare say so (status and CLI), their unfinished parts too', async () => {
  const raw = { backends: stubBackends('claude', 'codex'), jobs: { heartbeatSeconds: 1 } };
  const h = await startStubbedWorker(t.env, raw, { runAgent: agentUntilCancelled });
  try {
    const repo = await makeRepo();
    const file = ChainFileSchema.parse({
      name: 'cancelled',
      repo,
      task: 'the task',
      defaults: { kind: 'llm', backend: 'claude' },
      steps: [
        { id: 'one', prompt: '{{task}}' },
        { id: 'two', prompt: 'again' },
      ],
    });
    const chain = resolveChain(file, h.config, process.cwd());
    const chainHandle = await startChain(t.env.client, h.config, chain);
    const compare = await resolveCompare({ backends: 'claude,codex', prompt: 'race', repo }, h.config);
    const compareHandle = await startCompare(t.env.client, h.config, compare);
    await until('three agents running', () => started >= 3);
    await chainHandle.cancel();
    await compareHandle.cancel();
    await until('both closed', async () => (await chainHandle.describe()).status.name === 'CANCELLED');
    await until('compare closed', async () => (await compareHandle.describe()).status.name === 'CANCELLED');

    const c = await chainStatus(t.env.client, chain.chainId);
    assert.equal(c.status, 'cancelled');
    assert.deepEqual(
      c.steps.map((s) => [s.id, s.state]),
      [
        ['one', 'cancelled'],
        ['two', 'skipped'],
      ],
    );
    assert.ok(c.finishedAt, 'the end time comes from Temporal');
    const m = await compareStatus(t.env.client, compare.compareId);
    assert.equal(m.status, 'cancelled');
    assert.deepEqual(
      m.backends.map((e) => e.state),
      ['cancelled', 'cancelled'],
    );

    const cli = await nightshift(['chain', 'status', chain.chainId], { address: t.env.address, harness: h });
    assert.equal(cli.exitCode, 0, cli.stderr);
    assert.match(cli.stdout.split('\n')[0] ?? '', /cancelled/);
    const cmp = await nightshift(['compare', 'status', compare.compareId, '--json'], {
      address: t.env.address,
      harness: h,
    });
    assert.equal((JSON.parse(cmp.stdout) as { status: string }).status, 'cancelled');
  } finally {
    await h.stop();
  }
});
