// The brain pattern on opencode: the real `opencode run`, with `nightshift mcp` mounted (`submit --mcp`), is scripted to
// submit a `command` job through nightshift_submit, wait for it with nightshift_wait, and answer with what it said.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, jobSpecOf, startJob } from '../src/client/jobs.js';
import { listJobs } from '../src/client/list-jobs.js';
import {
  chatTurns,
  startOpenAiChatStub,
  type ChatBody,
  type ChatReply,
} from '../src/dev/scripted-model/openai-chat.js';
import { opencodeBackend } from './support/openai-clis.js';
import { processesIn } from './support/procs.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAnd(() => startOpenAiChatStub(chatTurns([])));

// opencode offers a server's tools as `<server>_<tool>`: the nightshift server's are nightshift_nightshift_*.
const SUBMIT = 'nightshift_nightshift_submit';
const WAIT = 'nightshift_nightshift_wait';

/** The names of the tools a request offers the model. */
const toolNames = (body: ChatBody): string[] =>
  (body.tools ?? []).map((tool) => (tool as { function?: { name?: string } }).function?.name ?? '');

/** The tool results opencode sent back so far (each MCP tool's text), oldest first. */
function toolResults(body: ChatBody): string[] {
  const text = (c: unknown): string =>
    typeof c === 'string' ? c : (Array.isArray(c) ? c : []).map((p: { text?: string }) => p.text ?? '').join('');
  return (body.messages ?? []).filter((m) => m.role === 'tool').map((m) => text(m.content));
}

const call = (name: string, args: Record<string, unknown>): ChatReply => ({
  kind: 'message',
  toolCalls: [{ name, arguments: args }],
});

/** Submit a command job, wait for it, then answer with what the wait returned. */
function brainScript(body: ChatBody): ChatReply {
  if (!body.tools?.length) return { kind: 'message', text: 'ok', promptTokens: 0, completionTokens: 0 };
  const results = toolResults(body);
  if (results.length === 0) return call(SUBMIT, { task: 'count the apples', backend: 'command' });
  const previous = results.at(-1) ?? '';
  if (results.length === 1) {
    const jobId = /job-[a-z0-9-]+/.exec(previous)?.[0] ?? 'job-missing';
    return call(WAIT, { jobId, timeoutSeconds: 300 });
  }
  return { kind: 'message', text: `The fleet said: ${previous}` };
}

test('an opencode brain mounts the server: it submits a job through MCP, waits for it, and reads its answer', async () => {
  const start = t.stub.requests.length;
  t.stub.setScript(brainScript);
  const opencode = opencodeBackend(t.stub.url, 'sk-opencode-test-0123456789abcdefSECRET');
  // A user whose config asks before every tool: `opencode run` cannot ask, so the mounted tools must be allowed.
  const askFirst = JSON.stringify({ permission: { '*': 'ask' } });
  const h = await startWorker(t.env, {
    backends: {
      opencode: { ...opencode, env: { ...opencode.env, OPENCODE_CONFIG_CONTENT: askFirst } },
      command: { command: 'sh', extraArgs: ['-c', 'echo "seven apples"'] },
    },
  });
  try {
    const spec = resolveJobSpec(
      { prompt: 'ask the fleet', backend: 'opencode', workspace: 'none', mcp: true },
      h.config,
    );
    assert.equal(spec.mcp, true);
    await startJob(t.env.client, h.config, spec);
    const brain = await jobOutcome(t.env.client, spec.jobId);
    assert.equal(brain.result?.status, 'succeeded', brain.error?.message);
    assert.match(brain.result!.finalText, /The fleet said: .*seven apples/s);
    const first = t.stub.requests.slice(start).find((r) => r.body.tools?.length);
    const offered = toolNames(first!.body);
    assert.ok(offered.includes(SUBMIT) && offered.includes(WAIT), `first request's tools: ${offered.join(', ')}`);
    const { rows } = await listJobs(t.env.client, h.config, { limit: 50 });
    const child = rows.find((r) => r.backend === 'command');
    assert.ok(child, `a command job was submitted: ${JSON.stringify(rows)}`);
    assert.equal((await jobSpecOf(t.env.client, child.jobId))?.parentJobId, spec.jobId, 'the child names its brain');
    assert.deepEqual(processesIn(h.dataDir), [], 'no agent or MCP server left behind');
  } finally {
    await h.stop();
  }
});
