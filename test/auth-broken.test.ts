// Auth expiry across the fleet, on the real engine and the real claude CLI against a scripted model: one 401 marks
// claude auth-broken; later jobs skip it untried or wait for it; `nightshift backends check` probes and clears it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../src/cli/commands/backends.js';
import { commandHelp } from '../src/cli/help.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, jobOutcome, jobProgress, startJob } from '../src/client/jobs.js';
import type { ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import type { JobResult } from '../src/protocol/result.js';
import { backendAuthBrokenSignal } from '../src/protocol/signals.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { slowAgent } from './support/slow-agent.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const t = useTemporalAndModel();

const text = (s: string): ScriptedReply => ({ kind: 'message', blocks: [{ type: 'text', text: s }] });
const unauthorized: ScriptedReply = {
  kind: 'error',
  status: 401,
  body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
};
const trail = (r: JobResult | undefined) =>
  r?.backends.map((b) => `${b.backend} ${b.outcome} ${b.failureClass ?? ''}`.trim());

/** The CLI needs the harness's backends (the probe runs claude against the scripted model): the same config. */
function cliEnv(h: Harness): Record<string, string> {
  const file = join(h.dataDir, 'cli-config.json');
  writeFileSync(file, JSON.stringify({ backends: h.config.backends, ledger: h.config.ledger }));
  return { NIGHTSHIFT_CONFIG: file };
}

test('a 401 marks claude auth-broken: the job moves on, the next skips claude untried, a claude-only job waits until `backends check` clears it', async () => {
  let authOk = false;
  t.stub.setScript((body) => (!body.tools?.length ? text('ok') : authOk ? text('OK') : unauthorized));
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url), command: slowAgent(0).backend },
    routes: { llm: { backend: 'claude', fallbacks: ['command'] } },
  });
  const cli = (...args: string[]) => nightshift(args, { address: t.env.address, harness: h, env: cliEnv(h) });
  try {
    const start = async (input: Record<string, unknown>) => {
      const spec = resolveJobSpec({ kind: 'llm', workspace: 'none', ...input }, h.config);
      await startJob(t.env.client, h.config, spec);
      return spec.jobId;
    };
    const claudeCalls = () => t.stub.requests.length;

    const first = await jobOutcome(t.env.client, await start({ prompt: 'first' }));
    assert.ok(first.result, String(first.error));
    assert.equal(first.result.status, 'succeeded');
    assert.equal(first.result.backend, 'command');
    assert.deepEqual(trail(first.result), ['claude failed AuthFailed', 'command succeeded']);
    assert.ok(claudeCalls() > 0, 'claude asked the model and got the 401');
    const marked = await capacityView(t.env.client, h.config);
    assert.deepEqual(Object.keys(marked.authBroken), ['claude']);
    assert.match(marked.authBroken['claude']?.message ?? '', /api.key|auth/i);
    assert.deepEqual(marked.limitedBackends, {}, 'broken auth is no rate limit');

    const before = claudeCalls();
    const second = await jobOutcome(t.env.client, await start({ prompt: 'second' }));
    assert.equal(second.result?.status, 'succeeded', String(second.error));
    assert.deepEqual(trail(second.result), ['claude skipped AuthFailed', 'command succeeded']);
    assert.equal(claudeCalls(), before, 'claude was not started for the second job: no model request');

    const third = await start({ prompt: 'third', backend: 'claude' });
    await waitFor('the claude-only job to wait for auth', async () => {
      const q = (await capacityView(t.env.client, h.config)).queue.find((e) => e.jobId === third);
      return q?.waitingForAuth === true;
    });
    const shown = await cli('capacity');
    assert.equal(shown.exitCode, 0, shown.stderr);
    assert.match(shown.stdout, /backend claude AUTH-BROKEN since .*: .*(api.key|auth)/i);
    assert.match(shown.stdout, new RegExp(`waiting for an auth-broken backend: ${third}`));
    const waiting = await jobProgress(t.env.client, third);
    assert.deepEqual([waiting.status, waiting.step], ['queued', 'waiting-for-lease'], 'waiting, not failed');
    assert.equal(claudeCalls(), before, 'the waiting job has not run claude either');

    authOk = true; // the operator renewed the key
    const check = await cli('backends', 'check', '--backend', 'claude');
    assert.equal(check.exitCode, 0, `${check.stdout}\n${check.stderr}`);
    assert.match(check.stdout, /^claude\s+ok\b/m);
    assert.match(check.stdout, /^cleared: claude$/m);
    assert.ok(claudeCalls() > before, 'the probe really ran claude');
    await waitFor('the mark to go', async () => {
      const v = await capacityView(t.env.client, h.config);
      return Object.keys(v.authBroken).length === 0;
    });
    const ran = await jobOutcome(t.env.client, third);
    assert.equal(ran.result?.status, 'succeeded', String(ran.error));
    assert.equal(ran.result?.backend, 'claude');
    assert.deepEqual(trail(ran.result), ['claude succeeded']);
  } finally {
    await h.stop();
  }
});

test('`backends clear` lifts a mark without a probe; an unknown backend is a usage error naming the flag and value', async () => {
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  const cli = (...args: string[]) => nightshift(args, { address: t.env.address, harness: h, env: cliEnv(h) });
  try {
    // A job brings the capacity singleton up; then a mark as a job's AuthFailed would send it.
    t.stub.setScript(() => text('fine'));
    const spec = resolveJobSpec({ prompt: 'warm up', kind: 'llm', workspace: 'none' }, h.config);
    await (await startJob(t.env.client, h.config, spec)).result();
    const capacity = t.env.client.workflow.getHandle(capacityWorkflowId(h.config.temporal.taskQueue));
    await capacity.signal(backendAuthBrokenSignal, { backend: 'claude', message: 'token expired', at: Date.now() });
    await waitFor('the mark', async () => 'claude' in (await capacityView(t.env.client, h.config)).authBroken);

    const cleared = await cli('backends', 'clear', 'claude');
    assert.equal(cleared.exitCode, 0, cleared.stderr);
    assert.match(cleared.stdout, /^claude: auth-broken mark cleared \(since /m);
    await waitFor('the mark to go', async () => !('claude' in (await capacityView(t.env.client, h.config)).authBroken));

    const bad = await cli('backends', 'check', '--backend', 'claud');
    assert.equal(bad.exitCode, 2, bad.stderr);
    assert.match(bad.stderr, /--backend: unknown backend "claud"/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const badClear = await cli('backends', 'clear', 'nope');
    assert.equal(badClear.exitCode, 2, badClear.stderr);
    assert.match(badClear.stderr, /backend: unknown backend "nope"/);
  } finally {
    await h.stop();
  }
});

test('`backends --help` is its own page and names every flag it parses', () => {
  const page = commandHelp('backends') ?? '';
  assert.match(page, /^usage: nightshift backends check .*\| backends clear/);
  assert.match(page, /\nexample: nightshift backends check/);
  for (const flag of Object.keys(OPTIONS)) assert.ok(page.includes(`--${flag}`), `--${flag} on the page`);
});
