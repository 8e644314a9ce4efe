// The brain pattern on gemini: the real `gemini`, with `nightshift mcp` mounted (`submit --mcp`), is scripted to
// hand a `command` job to the fleet through nightshift_submit, wait for it, and answer with what it printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mcpEnv, mcpServerEntry } from '../src/agents/adapters/gemini-mcp.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, jobSpecOf, startJob } from '../src/client/jobs.js';
import { listJobs } from '../src/client/list-jobs.js';
import {
  functionCall,
  geminiTurns,
  lastFunctionResponse,
  offeredTools,
  startGeminiStub,
  type GeminiBody,
  type GeminiReply,
} from '../src/dev/scripted-model/gemini.js';
import { processesIn } from './support/procs.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAnd(() => startGeminiStub(geminiTurns([])));

const FAKE_KEY = 'AIza-test-0123456789SECRET';
const MCP = 'mcp_nightshift_'; // gemini offers a server's tools as mcp_<server>_<tool>

/** Submit a command job, wait for it, then answer with what the wait returned. */
function brainScript(body: GeminiBody): GeminiReply {
  if (!body.tools?.length) return { kind: 'message', parts: [{ text: '{}' }], promptTokens: 0, outputTokens: 0 };
  const step = (body.contents ?? []).filter((c) => c.role === 'model').length;
  if (step === 0) return functionCall(`${MCP}nightshift_submit`, { task: 'count', backend: 'command' });
  const previous = lastFunctionResponse(body);
  if (step === 1) {
    const jobId = /job-[a-z0-9-]+/.exec(previous)?.[0] ?? 'job-missing';
    return functionCall(`${MCP}nightshift_wait`, { jobId, timeoutSeconds: 300 });
  }
  return { kind: 'message', parts: [{ text: `The fleet said: ${previous}` }] };
}

test('a gemini brain mounts the server: it submits a job through MCP, waits for it and reads its answer', async () => {
  t.stub.setScript(brainScript);
  const h = await startWorker(t.env, {
    backends: {
      gemini: { baseUrl: t.stub.url, model: 'gemini-2.5-pro', env: { GEMINI_API_KEY: FAKE_KEY } },
      command: { command: 'sh', extraArgs: ['-c', 'echo "seven apples"'] },
    },
  });
  try {
    const spec = resolveJobSpec({ prompt: 'ask the fleet', backend: 'gemini', workspace: 'none', mcp: true }, h.config);
    assert.equal(spec.mcp, true);
    await startJob(t.env.client, h.config, spec);
    const brain = await jobOutcome(t.env.client, spec.jobId);
    assert.equal(brain.result?.status, 'succeeded', brain.error?.message);
    assert.match(brain.result!.finalText, /seven apples/);
    const first = t.stub.requests.find((r) => r.body.tools?.length);
    assert.ok(first && offeredTools(first.body).includes(`${MCP}nightshift_submit`), 'the first turn offers the tools');
    const { rows } = await listJobs(t.env.client, h.config, { limit: 50 });
    const child = rows.find((r) => r.backend === 'command');
    assert.ok(child, `a command job was submitted: ${JSON.stringify(rows)}`);
    assert.equal((await jobSpecOf(t.env.client, child.jobId))?.parentJobId, spec.jobId, 'the child names its brain');

    // The next gemini run on this worker, without --mcp, is not offered the server.
    t.stub.setScript(geminiTurns([], 'plain'));
    const seen = t.stub.requests.length;
    const plain = resolveJobSpec({ prompt: 'just answer', backend: 'gemini', workspace: 'none' }, h.config);
    await startJob(t.env.client, h.config, plain);
    assert.equal((await jobOutcome(t.env.client, plain.jobId)).result?.status, 'succeeded');
    const offered = t.stub.requests.slice(seen).flatMap((r) => offeredTools(r.body));
    assert.ok(offered.length > 0 && !offered.some((n) => n.startsWith(MCP)), offered.join(', '));
    assert.deepEqual(processesIn(h.dataDir), [], 'no agent or MCP server left behind');
  } finally {
    await h.stop();
  }
});

test('the mount survives gemini expanding $VAR in settings and server env: JSON values spell $ as \\u0024', () => {
  const config = JSON.stringify({ backends: { command: { extraArgs: ['-c', 'echo "$HOME ${X:-y} \\$"'] } } });
  const mount = { name: 'nightshift' as const, command: '/bin/node', args: ['ns.js', 'mcp'], env: { CFG: config } };
  const env = mcpEnv(mount);
  assert.equal(env['NIGHTSHIFT_MCP_COMMAND'], '/bin/node');
  assert.doesNotMatch(env['NIGHTSHIFT_MCP_ENV_CFG']!, /\$/);
  assert.deepEqual(JSON.parse(env['NIGHTSHIFT_MCP_ENV_CFG']!), JSON.parse(config));
  const entry = mcpServerEntry(mount);
  assert.equal(entry['command'], '${NIGHTSHIFT_MCP_COMMAND:-}', 'empty, so skipped, in a run without the mount');
  assert.deepEqual(entry['env'], { CFG: '${NIGHTSHIFT_MCP_ENV_CFG:-}' });
});
