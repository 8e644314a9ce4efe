// Issue 25 row 10, through the real engine: a hostile `command` agent (and its check) prints its environment and
// every configured secret it can find, and lies about its usage. No secret reaches the history, the result, the raw
// output file, the ledger or the worker's log (`***` instead); no negative, infinite or absurd figure reaches the
// result, the budget or the ledger.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { openLedger } from '../../src/ledger/db.js';
import type { JobResult } from '../../src/protocol/result.js';
import { logger } from '../../src/support/logger.js';
import { makeRepo } from '../support/repo.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

// The worker's log, as a deployment keeps it (JSON lines), at info: set before anything logs (the logger is lazy).
const logFile = join(mkdtempSync(join(tmpdir(), 'nightshift-secrets-log-')), 'worker.log');
Object.assign(process.env, { NIGHTSHIFT_LOG_FILE: logFile, NIGHTSHIFT_LOG_LEVEL: 'info' });

const id = `${process.pid}x${Date.now()}`;
/** Worker env vars that are keys by their names (the agent never sees them: it finds them in the repo below). */
const WORKER_ENV = { NSTEST_VENDOR_API_KEY: `vendor-key-${id}`, NSTEST_DB_PASSWORD: `db-password-${id}` };
Object.assign(process.env, WORKER_ENV);
const BACKEND = { COMMAND_TOKEN: `backend-token-${id}`, ODD_SECRET: `odd"quote\\slash-${id}` };
const HTTP_TOKEN = `http-token-${id}-operator`;
const SUBMIT_TOKEN = `submit-token-${id}-scoped`;
const HOOK_HEADER = `Bearer webhook-header-${id}`;
const ALL = [...Object.values(WORKER_ENV), ...Object.values(BACKEND), HTTP_TOKEN, SUBMIT_TOKEN, HOOK_HEADER];

let env: TestWorkflowEnvironment;
let h: Harness;
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, {
    // A malicious agent: its prompt is a shell script, as an injected agent's Bash tool would run it.
    backends: { command: { command: 'sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'], env: BACKEND } },
    http: { token: HTTP_TOKEN, tokens: [{ token: SUBMIT_TOKEN, scope: 'submit' }] },
    notify: {
      webhooks: [{ url: 'http://127.0.0.1:9/hook', events: ['digest'], headers: { Authorization: HOOK_HEADER } }],
    },
  });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

async function runJob(prompt: string, repo: string, extra: Record<string, unknown> = {}): Promise<JobResult> {
  const input = { prompt, repo, backend: 'command', kind: 'coding-agent', maxAttempts: 1, ...extra };
  const spec = resolveJobSpec(input, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

/** Every payload of the job's history, decoded (JSON.stringify of the history alone shows payloads as bytes). */
async function historyText(jobId: string): Promise<string> {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    else if (typeof v === 'string') parts.push(v);
  };
  walk(await env.client.workflow.getHandle(jobId).fetchHistory());
  return parts.join('\n');
}

/** The job's raw agent output files (`agent-attempt-N.jsonl`), concatenated. */
function agentOutput(jobId: string): string {
  const dir = join(h.dataDir, 'jobs', jobId);
  const files = readdirSync(dir).filter((f) => /-attempt-\d+\.jsonl$/.test(f));
  assert.ok(files.length > 0, `an agent output file in ${dir}`);
  return files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

function assertNoSecret(where: string, text: string): void {
  for (const s of ALL) {
    assert.ok(!text.includes(s), `${where} carries ${s}`);
    assert.ok(!text.includes(JSON.stringify(s).slice(1, -1)), `${where} carries ${s} JSON-escaped`);
  }
}

// What the agent does with what it has: its env, a file of the operator's secrets (as if it found them), one
// secret in a JSON line, one split across two writes, one on stderr.
const LEAK = [
  'env',
  'cat leak.txt',
  `printf '{"leak":"%s"}\\n' "$COMMAND_TOKEN"`,
  `printf '%s' "$COMMAND_TOKEN" | head -c 9; sleep 0.3; printf '%s\\n' "\${COMMAND_TOKEN#?????????}"`,
  'echo "stderr: $COMMAND_TOKEN $ODD_SECRET" >&2',
].join('\n');

test('row 10: an agent prints its env and the operator’s secrets: none in the history, result, output file or log', async () => {
  const repo = await makeRepo({ 'README.md': '# r\n', 'leak.txt': `${ALL.join('\n')}\n` });
  // Its check (the repo's script, which an agent may have written) prints them too: the check's output tail.
  const ok = await runJob(LEAK, repo, { check: ['sh', '-c', 'cat leak.txt; echo checked'] });
  assert.equal(ok.check?.passed, true, ok.check?.outputTail);
  assert.match(ok.check?.outputTail ?? '', /\*\*\*\n[^]*checked/, ok.check?.outputTail);
  assert.ok(['no_op', 'succeeded'].includes(ok.status), `${ok.status}: ${ok.failureMessage}`);
  assert.match(ok.finalText, /COMMAND_TOKEN=\*\*\*/, ok.finalText);
  assert.match(ok.finalText, /\{"leak":"\*\*\*"\}/, 'a secret inside JSON is masked and the line stays JSON');
  const failed = await runJob(`${LEAK}\nexit 3`, repo);
  assert.equal(failed.status, 'failed');
  assert.match(failed.failureMessage ?? '', /stderr: \*\*\* \*\*\*/, failed.failureMessage);

  // The logger itself: a message and a field naming secrets (as an error quoting a URL or an env would).
  logger('secrets-test').warn({ detail: `key ${WORKER_ENV.NSTEST_VENDOR_API_KEY}` }, `leaked ${HOOK_HEADER}`);
  for (const r of [ok, failed]) {
    assertNoSecret(`result of ${r.jobId}`, JSON.stringify(r));
    assertNoSecret(`history of ${r.jobId}`, await historyText(r.jobId));
    const raw = agentOutput(r.jobId);
    assertNoSecret(`agent output of ${r.jobId}`, raw);
    assert.ok(raw.includes(`COMMAND_TOKEN=***`), 'the output file keeps the output, masked');
  }
  const ledger = await openLedger(h.config.ledger.url ?? '');
  try {
    const { rows } = await ledger.db.query('SELECT * FROM ledger_jobs WHERE job_id IN ($1, $2)', [
      ok.jobId,
      failed.jobId,
    ]);
    assert.equal(rows.length, 2, 'both jobs are in the ledger');
    assertNoSecret('the ledger rows', JSON.stringify(rows));
  } finally {
    await ledger.close();
  }
  const log = readFileSync(logFile, 'utf8');
  assert.match(log, /leaked Bearer \*\*\*|leaked \*\*\*/, 'the test line was logged, masked');
  assertNoSecret('the worker log', log);
});

test('row 10: an agent reports negative, infinite and absurd usage: rejected, said so, not in budget or ledger', async () => {
  const repo = await makeRepo();
  const report = (o: unknown): string => `echo '${JSON.stringify({ nightshift: o })}'`;
  const lies = [
    report({ costUsd: -1000000 }),
    `echo '{"nightshift":{"tokens":{"input":1e999}}}'`, // JSON.parse makes it Infinity
    report({ tokens: { output: 5e12 } }),
    `echo '{"nightshift":{"tokens":{"input":NaN}}}'`, // not JSON: ordinary output, never a report
    report({ tokens: { input: -5 }, costUsd: 0.5 }), // one bad figure: the whole report is not believed
    report({ tokens: { input: 100, output: 7 }, costUsd: 0.25 }),
  ].join('\n');
  const r = await runJob(lies, repo);
  assert.ok(['no_op', 'succeeded'].includes(r.status), `${r.status}: ${r.failureMessage}`);
  assert.deepEqual(r.tokens, { input: 100, output: 7, cacheRead: 0, cacheWrite: 0 });
  assert.equal(r.costUsd, 0.25);
  assert.deepEqual(r.usageRejected, [
    'usage rejected: costUsd=-1000000',
    'usage rejected: tokens.input=Infinity',
    'usage rejected: tokens.output=5000000000000',
    'usage rejected: tokens.input=-5',
  ]);

  // A negative report no longer buys room under a cost cap: $-1,000,000 then $5 is $5, past a $1 cap.
  const capped = await runJob(`${report({ costUsd: -1000000 })}\n${report({ costUsd: 5 })}\nsleep 5`, repo, {
    maxCostUsd: 1,
  });
  assert.equal(capped.status, 'failed');
  assert.equal(capped.failureClass, 'BudgetExceeded', capped.failureMessage);

  const ledger = await openLedger(h.config.ledger.url ?? '');
  try {
    const { rows } = await ledger.db.query<{ tokens_in: string; tokens_out: string; cost_usd: number | null }>(
      'SELECT tokens_in, tokens_out, cost_usd FROM ledger_jobs WHERE job_id = $1',
      [r.jobId],
    );
    assert.deepEqual(
      rows.map((x) => [Number(x.tokens_in), Number(x.tokens_out), x.cost_usd]),
      [[100, 7, 0.25]],
    );
  } finally {
    await ledger.close();
  }
});
