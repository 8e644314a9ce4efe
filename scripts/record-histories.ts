// Records the histories the replay test checks: a claude job (before and after the ledger patch), the capacity
// singleton, a warm session, a chain, a scheduled run, a compare — and, with a scripted agent and check
// (test/support/stub-activities.ts), a job that fails over twice, a job whose first backend's auth is refused, a job with fix and review rounds, and a capacity
// singleton's fresh run after the `capacity-recover` patch, a host-pinned job whose host stopped heartbeating, and
// a job that commits its work and lands it through a merge queue, a job and a capacity singleton that notify,
// a brain job that releases with its spend and a capacity singleton whose budget held a job, and a lean job (its
// lease, release and ledger by local activity) with a singleton that grants by local activity.
// Run: npm run record-histories — writes only the files that are missing: old histories must keep replaying.
import { existsSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { chainOutcome, resolveChain, startChain } from '../src/client/chains.js';
import { compareOutcome, resolveCompare, startCompare } from '../src/client/compares.js';
import { addSchedule, controlSchedule, scheduleIdOf } from '../src/client/schedules.js';
import { submitToSession, waitForSessionJob } from '../src/client/sessions.js';
import { ChainFileSchema } from '../src/client/chain-file.js';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import { landQueueId } from '../src/protocol/land.js';
import type { Activities } from '../src/protocol/activities.js';
import { FailureClass } from '../src/protocol/failures.js';
import { primaryDirectory, startAnthropicStub, turns } from '../src/dev/scripted-model/anthropic.js';
import { claudeBackend } from '../test/support/claude.js';
import { makeRepo } from '../test/support/repo.js';
import {
  agentStub,
  checkStub,
  fail,
  rateLimited,
  startStubbedWorker,
  stubBackends,
  succeed,
} from '../test/support/stub-activities.js';
import { startTemporal, startWorker } from '../test/support/temporal.js';

const CLAUDE_HISTORIES = [
  'job-claude-succeeded',
  'job-claude-ledger',
  'capacity-one-lease',
  'session-two-jobs',
  'chain-two-steps',
  'scheduled-job-run',
  'compare-two-backends',
];
const STUBBED_HISTORIES = ['job-failover', 'job-rounds', 'job-auth-broken'];
const RECOVER_HISTORIES = ['capacity-recover'];
const FLEET_HISTORIES = ['job-host-moved'];
const LAND_HISTORIES = ['job-commit-land', 'land-queue-one'];
const NOTIFY_HISTORIES = ['job-notify', 'capacity-notify'];
const BUDGET_HISTORIES = ['job-budget', 'capacity-budget'];
const LEAN_HISTORIES = ['job-lean', 'capacity-lean'];
const out = new URL('../test/histories/', import.meta.url);
const missing = (name: string): boolean => !existsSync(new URL(`${name}.json`, out));

const env = await startTemporal();
const save = async (name: string, workflowId: string): Promise<void> => {
  if (!missing(name)) return;
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(new URL(`${name}.json`, out), historyToJSON(history) + '\n');
};
try {
  if (CLAUDE_HISTORIES.some(missing)) await recordWithClaude();
  if (STUBBED_HISTORIES.some(missing)) await recordStubbed();
  if (RECOVER_HISTORIES.some(missing)) await recordCapacityRecover();
  if (FLEET_HISTORIES.some(missing)) await recordHostMoved();
  if (LAND_HISTORIES.some(missing)) await recordLanding();
  if (NOTIFY_HISTORIES.some(missing)) await recordNotify();
  if (BUDGET_HISTORIES.some(missing)) await recordBudget();
  if (LEAN_HISTORIES.some(missing)) await recordLean();
} finally {
  await env.teardown();
}

async function recordWithClaude(): Promise<void> {
  let dir = '';
  const stub = await startAnthropicStub((body, i) => {
    dir = primaryDirectory(body) ?? dir;
    return turns([
      {
        kind: 'message',
        blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: `${dir}/notes.md`, content: 'recorded\n' } }],
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'wrote notes.md' }] },
    ])(body, i);
  });
  const h = await startWorker(env, {
    backends: { claude: claudeBackend(stub.url), command: { command: 'touch', extraArgs: ['notes.md'] } },
  });
  try {
    const repo = await makeRepo();
    const spec = resolveJobSpec(
      { prompt: 'write notes', repo, kind: 'coding-agent', check: ['git', 'status', '--short'] },
      h.config,
    );
    await (await startJob(env.client, h.config, spec)).result();
    await save('job-claude-succeeded', spec.jobId);
    await save('job-claude-ledger', spec.jobId); // with the `job-ledger` patch marker
    await save('capacity-one-lease', capacityWorkflowId(h.config.temporal.taskQueue));
    for (const prompt of ['first session job', 'second session job']) {
      const job = await submitToSession(env.client, h.config, 'recorded', { prompt, repo, kind: 'llm' });
      await waitForSessionJob(env.client, h.config, 'recorded', job.jobId, 200);
    }
    await save('session-two-jobs', `session-recorded.${h.config.temporal.taskQueue}`);
    const chainFile = ChainFileSchema.parse({
      name: 'recorded',
      repo,
      task: 'write notes',
      defaults: { kind: 'llm' },
      steps: [
        { id: 'one', prompt: '{{task}}' },
        { id: 'two', prompt: 'again: {{steps.one.output}}' },
      ],
    });
    const chain = resolveChain(chainFile, h.config, process.cwd());
    await startChain(env.client, h.config, chain);
    await chainOutcome(env.client, chain.chainId);
    await save('chain-two-steps', chain.chainId);
    const jobSpec = resolveJobSpec({ prompt: 'scheduled notes', repo, kind: 'llm', workspace: 'none' }, h.config);
    await addSchedule(env.client, h.config, { name: 'recorded', cron: '0 2 * * *', spec: jobSpec });
    const schedule = env.client.schedule.getHandle(scheduleIdOf(h.config, 'recorded'));
    await controlSchedule(env.client, h.config, 'recorded', 'trigger');
    let run: string | undefined;
    while (!(run = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId))
      await new Promise((r) => setTimeout(r, 200));
    await env.client.workflow.getHandle(run).result();
    await save('scheduled-job-run', run);
    const compare = await resolveCompare({ backends: 'claude,command', prompt: 'write notes', repo }, h.config);
    await startCompare(env.client, h.config, compare);
    await compareOutcome(env.client, compare.compareId);
    await save('compare-two-backends', compare.compareId);
  } finally {
    await h.stop();
    await stub.close();
  }
}

/** Workflow paths no real CLI walks on demand: failover down a route, and fix + review rounds. */
async function recordStubbed(): Promise<void> {
  // claude limited for two hours, codex out of quota: the job ends on gemini.
  const failover = agentStub({
    claude: rateLimited(Date.now() + 7200_000),
    codex: fail(FailureClass.QuotaExhausted),
    gemini: succeed('answered on gemini'),
  });
  const routes = { llm: { backend: 'claude', fallbacks: ['codex', 'gemini'] } };
  const raw = { backends: stubBackends('claude', 'codex', 'gemini'), routes, failover: { maxWaitSeconds: 60 } };
  await recordStubbedJob('job-failover', raw, { runAgent: failover.runAgent }, { prompt: 'answer', kind: 'llm' });
  // claude's key is refused: the job marks it auth-broken and moves on to codex (after the `auth-broken` patch).
  const auth = agentStub({ claude: fail(FailureClass.AuthFailed), codex: succeed('answered on codex') });
  const authRaw = {
    backends: stubBackends('claude', 'codex'),
    routes: { llm: { backend: 'claude', fallbacks: ['codex'] } },
  };
  await recordStubbedJob('job-auth-broken', authRaw, { runAgent: auth.runAgent }, { prompt: 'answer', kind: 'llm' });
  // The check fails once (one fix round); codex asks for a revision, then approves.
  const rounds = agentStub({
    'claude:agent': succeed('wrote impl.txt', { sessionId: 'author-session', files: { 'impl.txt': 'impl\n' } }),
    claude: succeed('followed up', { files: { 'impl.test.txt': 'test\n' } }),
    'codex:review-1': succeed('{"verdict": "revise", "reasons": ["add tests"]}'),
    'codex:review-2': succeed('{"verdict": "approve", "reasons": ["tests added"]}'),
  });
  const check = checkStub([
    { passed: false, output: 'FAIL: impl is untested' },
    { passed: true, output: 'ok' },
  ]);
  const job = { prompt: 'implement impl', repo: await makeRepo(), kind: 'coding-agent', backend: 'claude' };
  await recordStubbedJob(
    'job-rounds',
    { backends: stubBackends('claude', 'codex') },
    { runAgent: rounds.runAgent, runCheck: check.runCheck },
    { ...job, workspace: 'worktree', check: ['npm', 'test'], fixRounds: 1, review: 'codex' },
  );
}

/** One job on a worker whose named activities are scripted; its history is saved as `name`. */
async function recordStubbedJob(
  name: string,
  raw: Record<string, unknown>,
  overrides: Partial<Activities>,
  input: Record<string, unknown>,
): Promise<void> {
  const h = await startStubbedWorker(env, raw, overrides);
  try {
    const spec = resolveJobSpec({ workspace: 'none', ...input }, h.config);
    await (await startJob(env.client, h.config, spec)).result();
    await save(name, spec.jobId);
  } finally {
    await h.stop();
  }
}

/**
 * Notifications (the `notify` and `capacity-notify` patches): claude is rate-limited, so the capacity singleton
 * notices it, and the job, answered on codex, starts its job.ended notification. The webhook is dead: only the
 * parents' histories are kept, each with its abandoned child's start.
 */
async function recordNotify(): Promise<void> {
  const agent = agentStub({ claude: rateLimited(Date.now() + 7200_000), codex: succeed('answered on codex') });
  const notify = { webhooks: [{ url: 'http://127.0.0.1:9/hook' }], retry: { maxAttempts: 1 } };
  const raw = {
    backends: stubBackends('claude', 'codex'),
    routes: { llm: { backend: 'claude', fallbacks: ['codex'] } },
    failover: { maxWaitSeconds: 60 },
    notify,
  };
  const h = await startStubbedWorker(env, raw, { runAgent: agent.runAgent });
  try {
    const spec = resolveJobSpec({ prompt: 'answer', kind: 'llm', workspace: 'none' }, h.config);
    await (await startJob(env.client, h.config, spec)).result();
    await save('job-notify', spec.jobId);
    await save('capacity-notify', capacityWorkflowId(h.config.temporal.taskQueue));
  } finally {
    await h.stop();
  }
}

/**
 * After the `budget-spend` patch: a brain job (`mcp`) releases its lease with its spend (120 tokens at a price that
 * passes the $1 budget); the singleton holds the next background job until the 5 s window moves, then grants it.
 */
async function recordBudget(): Promise<void> {
  const agent = agentStub({ claude: succeed('answered') });
  const budgets = { limits: [{ usd: 1, per: 5 }], prices: { claude: 10_000 } };
  const h = await startStubbedWorker(env, { backends: stubBackends('claude'), budgets }, { runAgent: agent.runAgent });
  try {
    const input = { kind: 'llm', backend: 'claude', workspace: 'none' } as const;
    const brain = resolveJobSpec({ ...input, prompt: 'spend', mcp: true }, h.config);
    await (await startJob(env.client, h.config, brain)).result();
    const held = resolveJobSpec({ ...input, prompt: 'held' }, h.config);
    await (await startJob(env.client, h.config, held)).result(); // granted only when the window moves
    await save('job-budget', brain.jobId);
    await save('capacity-budget', capacityWorkflowId(h.config.temporal.taskQueue));
  } finally {
    await h.stop();
  }
}

/** After `lean-job` and `grant-by-activity`: lease, grant, release and ledger by local activity; two jobs, one slot. */
async function recordLean(): Promise<void> {
  const agent = agentStub({ claude: succeed('answered') });
  const capacity = { maxSlots: 2, reservedOperatorSlots: 1 };
  const h = await startStubbedWorker(env, { backends: stubBackends('claude'), capacity }, { runAgent: agent.runAgent });
  try {
    const input = { kind: 'llm', backend: 'claude', workspace: 'none' } as const;
    const specs = ['first', 'second'].map((prompt) => resolveJobSpec({ ...input, prompt }, h.config));
    const handles = await Promise.all(specs.map((spec) => startJob(env.client, h.config, spec)));
    await Promise.all(handles.map((j) => j.result()));
    await save('job-lean', specs[1]?.jobId ?? '');
    await save('capacity-lean', capacityWorkflowId(h.config.temporal.taskQueue));
  } finally {
    await h.stop();
  }
}

/** A capacity singleton started after the `capacity-recover` patch: its fresh run asks for running jobs' leases. */
async function recordCapacityRecover(): Promise<void> {
  const agent = agentStub({ claude: succeed('answered') });
  const h = await startStubbedWorker(env, { backends: stubBackends('claude') }, { runAgent: agent.runAgent });
  try {
    const spec = resolveJobSpec({ prompt: 'answer', kind: 'llm', backend: 'claude', workspace: 'none' }, h.config);
    await (await startJob(env.client, h.config, spec)).result();
    await save('capacity-recover', capacityWorkflowId(h.config.temporal.taskQueue));
  } finally {
    await h.stop();
  }
}

/** A job after the `host-pinned` patch whose first agent run stops heartbeating: it prepares again and moves on. */
async function recordHostMoved(): Promise<void> {
  let calls = 0;
  const agent = agentStub({ claude: succeed('answered after the move') });
  const runAgent: Activities['runAgent'] = async (input) => {
    // The first run goes silent past the heartbeat timeout, as an agent on a frozen host would.
    if (++calls === 1) await new Promise((r) => setTimeout(r, 9000));
    return agent.runAgent(input);
  };
  const h = await startStubbedWorker(env, { backends: stubBackends('claude') }, { runAgent });
  try {
    const spec = resolveJobSpec(
      { prompt: 'answer', kind: 'llm', backend: 'claude', workspace: 'none', heartbeatSeconds: 1 },
      h.config,
    );
    const result = await (await startJob(env.client, h.config, spec)).result();
    if (!result.moves?.length) throw new Error('the recorded job did not move');
    await save('job-host-moved', spec.jobId);
  } finally {
    await h.stop();
  }
}

/** After the `job-commit` patch: a job that commits its work and, with `land`, joins the merge queue that lands it. */
async function recordLanding(): Promise<void> {
  let dir = '';
  const stub = await startAnthropicStub((body, i) => {
    dir = primaryDirectory(body) ?? dir;
    const write = { file_path: `${dir}/landed.md`, content: 'landed\n' };
    return turns([{ kind: 'message', blocks: [{ type: 'tool_use', name: 'Write', input: write }] }])(body, i);
  });
  const h = await startWorker(env, { backends: { claude: claudeBackend(stub.url) }, land: { idleSeconds: 1 } });
  try {
    const repo = await makeRepo();
    const input = { prompt: 'write landed.md', repo, kind: 'coding-agent', check: ['git', 'status'], land: true };
    const spec = resolveJobSpec(input, h.config);
    await (await startJob(env.client, h.config, spec)).result();
    await save('job-commit-land', spec.jobId);
    const queue = landQueueId(repo, 'main', h.config.temporal.taskQueue);
    await env.client.workflow.getHandle(queue).result(); // the queue completes once idle
    await save('land-queue-one', queue);
  } finally {
    await h.stop();
    await stub.close();
  }
}
