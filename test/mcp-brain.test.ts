// The brain pattern: the real `claude`, with `nightshift mcp` mounted (`submit --mcp`), is scripted to hand a job to
// the real `codex` through nightshift_submit and wait for it; the codex job runs under its own lease.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, jobProgress, jobSpecOf, startJob } from '../src/client/jobs.js';
import type { MessagesBody, ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import {
  responsesTurns,
  startOpenAiResponsesStub,
  type ResponsesBody,
  type ResponsesServer,
} from '../src/dev/scripted-model/openai-responses.js';
import { claudeBackend } from './support/claude.js';
import { codexBackend } from './support/openai-clis.js';
import { listJobs } from '../src/client/list-jobs.js';
import { processesIn } from './support/procs.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();
let codexModel: ResponsesServer;
before(async () => void (codexModel = await startOpenAiResponsesStub(responsesTurns([]))));
after(async () => void (await codexModel?.close()));

const MCP_NAMESPACE = 'mcp__nightshift'; // codex offers a server's tools in a namespace of its name
const CODEX_ANSWER = 'The answer is 42, computed by codex.';

/** The text of the last tool result claude sent back (the MCP tool's answer). */
function lastToolResult(body: MessagesBody): string {
  const blocks = (body.messages ?? []).flatMap((m) => (Array.isArray(m.content) ? (m.content as unknown[]) : []));
  const results = blocks.filter(
    (b): b is { type: string; content: unknown } => (b as { type?: string }).type === 'tool_result',
  );
  const content = results.at(-1)?.content;
  if (typeof content === 'string') return content;
  return (Array.isArray(content) ? content : []).map((c: { text?: string }) => c.text ?? '').join('');
}

const tool = (name: string, input: Record<string, unknown>): ScriptedReply => ({
  kind: 'message',
  blocks: [{ type: 'tool_use', name: `mcp__nightshift__${name}`, input }],
});

/** Submit a codex job, wait for it, then answer with what it said. */
function brainScript(body: MessagesBody): ScriptedReply {
  if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
  const step = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
  if (step === 0) return tool('nightshift_submit', { task: 'what is the answer?', backend: 'codex', kind: 'llm' });
  const previous = lastToolResult(body);
  if (step === 1) {
    const jobId = /"jobId": "(job-[a-z0-9-]+)"/.exec(previous)?.[1] ?? 'job-missing';
    return tool('nightshift_wait', { jobId, timeoutSeconds: 300 });
  }
  let finalText: string | undefined;
  try {
    finalText = (JSON.parse(previous) as { result?: { finalText?: string } }).result?.finalText;
  } catch {
    finalText = undefined; // a tool error is not JSON: the answer then quotes it, and the assertion says why
  }
  return {
    kind: 'message',
    blocks: [{ type: 'text', text: `Dispatched to codex. It said: ${finalText ?? previous}` }],
  };
}

test('a claude brain dispatches a codex job through MCP, waits for it, and answers with its result', async () => {
  t.stub.setScript(brainScript);
  codexModel.setScript(responsesTurns([{ kind: 'message', text: CODEX_ANSWER }]));
  const h = await startWorker(t.env, {
    backends: {
      claude: claudeBackend(t.stub.url),
      codex: codexBackend(codexModel.url, 'sk-openai-test-0123456789abcdefSECRET'),
    },
  });
  try {
    const spec = resolveJobSpec({ prompt: 'ask codex', backend: 'claude', workspace: 'none', mcp: true }, h.config);
    assert.equal(spec.mcp, true);
    await startJob(t.env.client, h.config, spec);
    const brain = await jobOutcome(t.env.client, spec.jobId);
    assert.equal(brain.result?.status, 'succeeded', brain.error?.message);
    assert.match(brain.result!.finalText, /It said: The answer is 42, computed by codex\./);
    const { rows } = await listJobs(t.env.client, h.config, { limit: 50 });
    const child = rows.find((r) => r.backend === 'codex');
    assert.ok(child, `a codex job was submitted: ${JSON.stringify(rows)}`);
    const childSpec = await jobSpecOf(t.env.client, child.jobId);
    assert.equal(childSpec?.parentJobId, spec.jobId, 'the child names its brain');
    assert.equal(childSpec?.lane, 'background');
    const childProgress = await jobProgress(t.env.client, child.jobId);
    assert.equal(childProgress.result?.status, 'succeeded');
    assert.equal(childProgress.result?.finalText, CODEX_ANSWER);
    assert.ok(childProgress.leaseGrantedAt, 'the codex job ran under its own lease');
    assert.deepEqual(processesIn(h.dataDir), [], 'no agent or MCP server left behind');
  } finally {
    await h.stop();
  }
});

/** The last function-call output codex sent back (the MCP tool's answer, as codex wraps it). */
function lastCallOutput(body: ResponsesBody): string {
  const outputs = (body.input ?? []).filter((i) => (i.type ?? '').endsWith('_call_output'));
  const out = outputs.at(-1)?.output;
  return typeof out === 'string' ? out : JSON.stringify(out ?? '');
}

test('a codex brain mounts the server too: it submits a job through MCP and reads its answer', async () => {
  codexModel.setScript((body) => {
    const step = (body.input ?? []).filter((i) => (i.type ?? '').endsWith('_call_output')).length;
    if (step === 0)
      return {
        kind: 'message',
        toolCalls: [
          { namespace: MCP_NAMESPACE, name: 'nightshift_submit', arguments: { task: 'count', backend: 'command' } },
        ],
      };
    const previous = lastCallOutput(body);
    if (step === 1) {
      const jobId = /job-[a-z0-9-]+/.exec(previous)?.[0] ?? 'job-missing';
      return {
        kind: 'message',
        toolCalls: [{ namespace: MCP_NAMESPACE, name: 'nightshift_wait', arguments: { jobId, timeoutSeconds: 300 } }],
      };
    }
    return { kind: 'message', text: `The fleet said: ${previous}` };
  });
  const h = await startWorker(t.env, {
    backends: {
      codex: codexBackend(codexModel.url, 'sk-openai-test-0123456789abcdefSECRET'),
      command: { command: 'sh', extraArgs: ['-c', 'echo "seven apples"'] },
    },
  });
  try {
    const spec = resolveJobSpec({ prompt: 'ask the fleet', backend: 'codex', workspace: 'none', mcp: true }, h.config);
    await startJob(t.env.client, h.config, spec);
    const brain = await jobOutcome(t.env.client, spec.jobId);
    assert.equal(brain.result?.status, 'succeeded', brain.error?.message);
    assert.match(brain.result!.finalText, /seven apples/);
    const { rows } = await listJobs(t.env.client, h.config, { limit: 50 });
    const child = rows.find((r) => r.backend === 'command');
    assert.equal((await jobSpecOf(t.env.client, child!.jobId))?.parentJobId, spec.jobId);
  } finally {
    await h.stop();
  }
});
