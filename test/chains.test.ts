// Chains on a real Temporal dev server: steps as child jobs, retries that never rerun finished steps,
// parallel blocks that keep every finished branch, and chain files validated before anything starts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ChainFileSchema } from '../src/client/chain-file.js';
import { renderTemplate, templateRefs } from '../src/protocol/chain-template.js';
import { chainOutcome, loadChainFile, startChain } from '../src/client/chains.js';
import { parseConfig } from '../src/config/load.js';
import { primaryDirectory, type MessagesBody } from '../src/dev/scripted-model/anthropic.js';
import type { ChainView } from '../src/protocol/chain.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();
const EXAMPLE = fileURLToPath(new URL('../examples/refactor-review-fix.yaml', import.meta.url));

function writeChain(content: unknown, name = 'chain.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nightshift-chain-')), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const step = (view: ChainView, id: string) => {
  const s = view.steps.find((x) => x.id === id);
  assert.ok(s, `step ${id} in the view`);
  return s;
};

test('template references: {{task}} and earlier outputs render; unknown ones are named', () => {
  const tpl = 'Do {{ task }} after {{steps.a.output}} and {{steps.b-2x.output}}';
  assert.deepEqual(templateRefs(tpl), [
    { kind: 'task' },
    { kind: 'step', stepId: 'a' },
    { kind: 'step', stepId: 'b-2x' },
  ]);
  assert.equal(renderTemplate(tpl, { task: 'T', outputs: { a: 'A$1', 'b-2x': 'B' } }), 'Do T after A$1 and B');
  assert.deepEqual(templateRefs('{{steps.a.result}}'), [{ kind: 'unknown', text: 'steps.a.result' }]);
});

test('the example chain (refactor → review → fix) validates and the review feeds the fix', () => {
  const raw: unknown = parseYaml(readFileSync(EXAMPLE, 'utf8'));
  const chain = ChainFileSchema.parse(raw);
  assert.deepEqual(
    chain.steps.map((s) => ('id' in s ? s.id : 'parallel')),
    ['refactor', 'review', 'fix'],
  );
  const spec = loadChainFile(EXAMPLE, parseConfig({ dataDir: mkdtempSync(join(tmpdir(), 'nightshift-data-')) }));
  assert.match(spec.chainId, /^chain-[0-9a-f]{8}$/);
  const fix = spec.nodes[2];
  assert.ok(fix && 'step' in fix);
  assert.match(fix.step.job.prompt, /\{\{steps\.review\.output\}\}/);
  assert.equal(fix.step.job.backend, 'claude');
  assert.deepEqual(fix.step.job.check, ['npm', 'run', 'typecheck']);
});

test('a bad key or an unknown reference exits 2 naming it, and no chain starts', async () => {
  const taskQueue = `chain-bad-${process.pid}-${Date.now()}`;
  const env = {
    NIGHTSHIFT_TASK_QUEUE: taskQueue,
    NIGHTSHIFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'nightshift-data-')),
  };
  const base = { name: 'bad', task: 'x', defaults: { backend: 'command' } };
  const cases: [unknown, RegExp[]][] = [
    [{ ...base, steps: [{ id: 'one', prompt: 'p', retires: 2 }] }, [/Unrecognized key: "retires"/, /steps\.0/]],
    [
      {
        ...base,
        steps: [
          { id: 'one', prompt: 'p' },
          { id: 'two', prompt: 'use {{steps.won.output}}' },
        ],
      },
      [/steps\.won\.output/, /steps\.1\.prompt/],
    ],
    [
      {
        ...base,
        steps: [
          {
            parallel: [
              { id: 'a', prompt: 'p' },
              { id: 'b', prompt: '{{steps.a.output}}' },
            ],
          },
        ],
      },
      [/steps\.a\.output/, /steps\.0\.parallel\.1\.prompt/],
    ],
    [{ ...base, steps: [{ id: 'one', prompt: '{{taks}}' }] }, [/unknown template reference "\{\{taks\}\}"/]],
    [{ ...base, steps: [{ id: 'one', prompt: 'p', onFailure: 'retry' }] }, [/steps\.0\.onFailure/, /"retry"/]],
  ];
  for (const [content, patterns] of cases) {
    const r = await nightshift(['chain', 'run', writeChain(content)], { address: t.env.address, env, cwd: tmpdir() });
    assert.equal(r.exitCode, 2, r.stderr);
    for (const p of patterns) assert.match(r.stderr, p);
  }
  const yaml = await nightshift(
    ['chain', 'run', writeChain('name: y\ntask: t\nsteps:\n  - id: a\n    promt: x\n', 'c.yaml')],
    { address: t.env.address, env, cwd: tmpdir() },
  );
  assert.equal(yaml.exitCode, 2);
  assert.match(yaml.stderr, /promt/);
  const started = [];
  for await (const wf of t.env.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
    started.push(wf.workflowId);
  assert.deepEqual(started, [], 'no workflow started');
});

/** Which step a model request belongs to, by the marker in its prompt; a run is its first request. */
function stepOf(body: MessagesBody): string | undefined {
  const text = JSON.stringify(body.messages ?? []);
  return ['[S1]', '[S2]', '[S3]'].find((m) => text.includes(m));
}

test('step 3 fails twice then passes: steps 1–2 ran once, the template fed step 2, step 3 records its failures', async () => {
  const runs: Record<string, number> = {};
  const dirs = new Set<string>();
  const requests: Record<string, string> = {};
  t.stub.setScript((body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const marker = stepOf(body) ?? '?';
    if (!(body.messages ?? []).some((m) => m.role === 'assistant')) {
      runs[marker] = (runs[marker] ?? 0) + 1;
      requests[marker] = JSON.stringify(body.messages);
      dirs.add(primaryDirectory(body) ?? '');
    }
    return { kind: 'message', blocks: [{ type: 'text', text: `output-of-${marker.slice(1, 3).toLowerCase()}` }] };
  });
  const counter = join(mkdtempSync(join(tmpdir(), 'nightshift-counter-')), 'n');
  // The check of step 3 fails on its first two runs and passes on the third.
  const flaky = [
    'sh',
    '-c',
    `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -ge 3 ] || { echo "check run $n failed"; exit 1; }`,
  ];
  const repo = await makeRepo();
  const file = writeChain({
    name: 'three-steps',
    repo,
    task: 'rename the widget',
    defaults: { backend: 'claude', kind: 'llm', maxAttempts: 1 },
    steps: [
      { id: 's1', prompt: '[S1] {{task}}' },
      { id: 's2', prompt: '[S2] review this: {{steps.s1.output}}' },
      { id: 's3', prompt: '[S3] fix per {{steps.s2.output}}', check: flaky, retries: 2 },
    ],
  });
  // The counter lives outside every workspace: the check's sandbox must let it write there.
  const sandbox = { writable: [dirname(counter)] };
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, sandbox });
  try {
    const spec = loadChainFile(file, h.config);
    await startChain(t.env.client, h.config, spec);
    const { view, error } = await chainOutcome(t.env.client, spec.chainId);
    assert.ok(view, error?.message);
    assert.equal(view.status, 'succeeded', JSON.stringify(view.steps.map((s) => [s.id, s.state, s.failures])));
    assert.deepEqual(runs, { '[S1]': 1, '[S2]': 1, '[S3]': 3 }, 'finished steps never rerun');
    assert.ok(requests['[S1]']?.includes('rename the widget'), '{{task}} rendered');
    assert.ok(requests['[S2]']?.includes('review this: output-of-s1'), "step 2's prompt holds step 1's output");
    assert.ok(requests['[S3]']?.includes('fix per output-of-s2'));
    assert.deepEqual(
      [...dirs],
      [join(h.dataDir, 'chains', spec.chainId, 'workspace')],
      'every step in the one chain workspace',
    );
    const s3 = step(view, 's3');
    assert.equal(s3.state, 'succeeded');
    assert.equal(s3.attempts, 3);
    assert.deepEqual(s3.jobIds, [`${spec.chainId}-s3`, `${spec.chainId}-s3-2`, `${spec.chainId}-s3-3`]);
    assert.deepEqual(
      s3.failures.map((f) => [f.jobId, f.status, f.failureClass]),
      [
        [`${spec.chainId}-s3`, 'failed', 'CheckFailed'],
        [`${spec.chainId}-s3-2`, 'failed', 'CheckFailed'],
      ],
    );
    assert.equal(s3.result?.check?.passed, true);
    assert.equal(s3.result?.branch, `nightshift/${spec.chainId}`);
    for (const id of ['s1', 's2']) {
      const s = step(view, id);
      assert.equal(s.state, 'succeeded');
      assert.equal(s.attempts, 1);
      assert.deepEqual(s.failures, []);
      assert.ok(s.tokens.input > 0 && (s.durationMs ?? 0) > 0);
    }
    assert.equal(step(view, 's2').result?.finalText, 'output-of-s2');
  } finally {
    await h.stop();
  }
});

test('a parallel block where one branch fails: the other branches are in the chain result (CLI run and status)', async () => {
  // The `command` backend: each branch only needs to pass or fail; a prompt with FAIL fails.
  const script =
    'sleep 1; case "$NIGHTSHIFT_PROMPT" in *FAIL*) echo "no way" >&2; exit 3;; esac; echo "did: $NIGHTSHIFT_PROMPT"';
  const h = await startWorker(t.env, { backends: { command: { command: 'sh', extraArgs: ['-c', script] } } });
  const repo = await makeRepo();
  const file = writeChain(
    [
      'name: fan-out',
      `repo: ${repo}`,
      'task: audit the modules',
      'defaults: { backend: command, kind: llm, maxAttempts: 1 }',
      'steps:',
      '  - id: plan',
      '    prompt: "plan {{task}}"',
      '  - parallel:',
      '      - { id: alpha, prompt: "alpha after {{steps.plan.output}}" }',
      '      - { id: beta, prompt: "beta FAIL" }',
      '      - { id: gamma, prompt: "gamma" }',
      '  - id: merge',
      '    prompt: "merge {{steps.alpha.output}}"',
      '',
    ].join('\n'),
    'fan-out.yaml',
  );
  try {
    const r = await nightshift(['chain', 'run', file, '--wait', '--json'], {
      address: t.env.address,
      harness: h,
      cwd: tmpdir(),
    });
    assert.equal(r.exitCode, 1, r.stderr);
    const view = JSON.parse(r.stdout) as ChainView;
    assert.equal(view.status, 'failed');
    const [alpha, beta, gamma] = ['alpha', 'beta', 'gamma'].map((id) => step(view, id));
    assert.equal(alpha?.state, 'succeeded');
    assert.equal(alpha?.result?.finalText.trim(), 'did: alpha after did: plan audit the modules');
    assert.equal(gamma?.state, 'succeeded');
    assert.equal(gamma?.result?.finalText.trim(), 'did: gamma');
    assert.equal(beta?.state, 'failed');
    assert.equal(beta?.failures[0]?.failureClass, 'AgentCrashed');
    assert.equal(step(view, 'merge').state, 'skipped', 'onFailure stop: nothing after the block runs');
    // Each branch in its own worktree and branch; the branches ran at the same time.
    assert.equal(alpha?.result?.workspace, join(h.dataDir, 'chains', view.chainId, 'parallel', 'alpha'));
    assert.equal(gamma?.result?.branch, `nightshift/${view.chainId}-gamma`);
    const [a, g] = [alpha?.result?.timeline, gamma?.result?.timeline];
    assert.ok(
      a?.agentSpawnedAt &&
        g?.agentSpawnedAt &&
        a.agentSpawnedAt < (g.agentExitedAt ?? 0) &&
        g.agentSpawnedAt < (a.agentExitedAt ?? 0),
      'branches overlapped',
    );
    const status = await nightshift(['chain', 'status', view.chainId, '--json'], {
      address: t.env.address,
      harness: h,
    });
    assert.equal(status.exitCode, 0, status.stderr);
    const again = JSON.parse(status.stdout) as ChainView;
    assert.deepEqual(
      again.steps.map((s) => [s.id, s.state, s.attempts]),
      [
        ['plan', 'succeeded', 1],
        ['alpha', 'succeeded', 1],
        ['beta', 'failed', 1],
        ['gamma', 'succeeded', 1],
        ['merge', 'skipped', 0],
      ],
    );
    const text = await nightshift(['chain', 'status', view.chainId], { address: t.env.address, harness: h });
    assert.match(text.stdout, /beta\s+failed\s+chain-[0-9a-f]{8}-beta/);
  } finally {
    await h.stop();
  }
});

test('a worker killed mid-chain: the new worker resumes the chain and never reruns the finished step', async () => {
  const runs: Record<string, number> = {};
  let held = false;
  t.stub.setScript((body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const text = JSON.stringify(body.messages ?? []);
    const marker = ['[C1]', '[C2]'].find((m) => text.includes(m)) ?? '?';
    if (!(body.messages ?? []).some((m) => m.role === 'assistant')) runs[marker] = (runs[marker] ?? 0) + 1;
    // Step 2's first run waits on the model forever: the worker is stopped under it.
    if (marker === '[C2]' && !held) {
      held = true;
      return { kind: 'hang' };
    }
    return { kind: 'message', blocks: [{ type: 'text', text: `out-${marker.slice(1, 3).toLowerCase()}` }] };
  });
  const repo = await makeRepo();
  const raw = { backends: { claude: claudeBackend(t.stub.url) }, jobs: { heartbeatSeconds: 2 } };
  let h = await startWorker(t.env, raw);
  const reuse = { taskQueue: h.config.temporal.taskQueue, dataDir: h.dataDir };
  const file = writeChain({
    name: 'crash',
    repo,
    task: 'two steps',
    defaults: { backend: 'claude', kind: 'llm', maxAttempts: 3 },
    steps: [
      { id: 'c1', prompt: '[C1] {{task}}' },
      { id: 'c2', prompt: '[C2] after {{steps.c1.output}}' },
    ],
  });
  try {
    const spec = loadChainFile(file, h.config);
    await startChain(t.env.client, h.config, spec);
    await waitFor('step 2 to reach the model', () => held, 120_000);
    await h.stop();
    h = await startWorker(t.env, raw, reuse);
    const { view, error } = await chainOutcome(t.env.client, spec.chainId);
    assert.ok(view, error?.message);
    assert.equal(view.status, 'succeeded');
    assert.deepEqual(runs, { '[C1]': 1, '[C2]': 2 }, 'step 1 ran once; step 2 again on the new worker');
    assert.equal(step(view, 'c1').attempts, 1);
    assert.equal(step(view, 'c2').attempts, 1, 'the same child job carried on (its agent activity retried)');
    assert.ok((step(view, 'c2').result?.attempts ?? 0) >= 2);
    assert.equal(step(view, 'c2').result?.finalText, 'out-c2');
  } finally {
    await h.stop();
  }
});
