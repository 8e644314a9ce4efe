// Each real CLI reaches its (loopback) scripted model through the egress proxy alone — the path every vendor
// endpoint takes: with sandbox.loopbackModel 'proxy' nothing listens at the model's port inside the namespace,
// so a job that gets the scripted answer sent its request through HTTP(S)_PROXY.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { agentNetwork } from '../../src/sandbox/egress-policy.js';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { startJob } from '../../src/client/jobs.js';
import { startAnthropicStub, turns } from '../../src/dev/scripted-model/anthropic.js';
import { geminiTurns, startGeminiStub } from '../../src/dev/scripted-model/gemini.js';
import { chatTurns, startOpenAiChatStub } from '../../src/dev/scripted-model/openai-chat.js';
import { responsesTurns, startOpenAiResponsesStub } from '../../src/dev/scripted-model/openai-responses.js';
import type { JobResult } from '../../src/protocol/result.js';
import { claudeBackend } from '../support/claude.js';
import { jobFailure, previousAttemptFailure } from '../support/outcomes.js';
import { codexBackend, opencodeBackend } from '../support/openai-clis.js';
import { useTemporalAnd } from '../support/suite.js';
import { startWorker, type Harness } from '../support/temporal.js';

const KEY = 'sk-proxy-test-0123456789abcdefSECRET';

/** A tool call the coding CLIs run before answering: its output in the next request is a second round trip. */
const TOOL = "printf 'proxied-tool-%d\\n' 42"; // no $((…)): gemini refuses any $( as command injection
const said = (cli: string): string => `${cli} answered through the egress proxy`;

/** One scripted server per protocol (opencode, llm and aider share the Chat Completions one, scripted per test). */
async function startModels() {
  const anthropic = await startAnthropicStub(
    turns([
      { kind: 'message', blocks: [{ type: 'tool_use', name: 'Bash', input: { command: TOOL, description: 'x' } }] },
      { kind: 'message', blocks: [{ type: 'text', text: said('claude') }] },
    ]),
  );
  const responses = await startOpenAiResponsesStub(
    responsesTurns([
      { kind: 'message', toolCalls: [{ name: 'exec_command', arguments: { cmd: TOOL } }] },
      { kind: 'message', text: said('codex') },
    ]),
  );
  const chat = await startOpenAiChatStub(() => ({ kind: 'message', text: 'unscripted' }));
  const gemini = await startGeminiStub(
    geminiTurns([
      { kind: 'message', parts: [{ functionCall: { name: 'run_shell_command', args: { command: TOOL } } }] },
      { kind: 'message', parts: [{ text: said('gemini') }] },
    ]),
  );
  const all = [anthropic, responses, chat, gemini];
  return { anthropic, responses, chat, gemini, close: async () => void (await Promise.all(all.map((s) => s.close()))) };
}

let worker: Harness | undefined;
after(async () => await worker?.stop()); // registered first, so it runs before the dev server's teardown
const t = useTemporalAnd(startModels);
const home = (name: string): string => mkdtempSync(join(tmpdir(), `nightshift-${name}-home-`));

/** One worker for the file (sandbox bwrap, agentNetwork proxy, loopbackModel proxy), every backend configured. */
async function harness(): Promise<Harness> {
  worker ??= await startWorker(t.env, {
    sandbox: { mode: 'bwrap', agentNetwork: 'proxy', loopbackModel: 'proxy' },
    backends: {
      claude: claudeBackend(t.stub.anthropic.url),
      codex: codexBackend(t.stub.responses.url, KEY),
      opencode: opencodeBackend(t.stub.chat.url, KEY),
      gemini: { baseUrl: t.stub.gemini.url, model: 'gemini-2.5-pro', env: { GEMINI_API_KEY: KEY } },
      llm: { baseUrl: t.stub.chat.url, model: 'scripted', env: { HOME: home('llm'), OPENAI_API_KEY: KEY } },
      aider: {
        baseUrl: t.stub.chat.url,
        model: 'scripted',
        env: { HOME: home('aider'), OPENAI_API_KEY: KEY },
        extraArgs: ['--edit-format', 'whole'],
      },
      command: { command: '/bin/sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'], baseUrl: t.stub.chat.url },
    },
  });
  return worker;
}

async function run(backend: string, prompt = 'Say where you are.'): Promise<JobResult> {
  const h = await harness();
  const spec = resolveJobSpec({ prompt, backend, kind: 'llm', workspace: 'none', maxAttempts: 1 }, h.config);
  return (await startJob(t.env.client, h.config, spec)).result();
}

/**
 * The job succeeded in the sandbox with the scripted answer; with `tool`, the tool's output (proxied-tool-42, which
 * the command line does not contain) came back to the model in a later request.
 */
async function assertThroughProxy(backend: string, requests: unknown[], tool: boolean): Promise<void> {
  const before = requests.length;
  const result = await run(backend);
  assert.equal(result.status, 'succeeded', `${backend}: ${result.failureMessage ?? ''}`);
  assert.equal(result.sandbox, 'bwrap', 'the agent ran in bwrap, in its own network namespace');
  assert.match(result.finalText, new RegExp(said(backend)));
  const sent = JSON.stringify(requests.slice(before));
  assert.ok(requests.length > before, `${backend}'s request reached the scripted model`);
  if (tool) assert.match(sent, /proxied-tool-42/, `${backend} ran the tool and sent its output back`);
}

test('inside: HTTP(S)_PROXY set, no NO_PROXY, the model port closed directly and open via the proxy', async () => {
  const port = new URL(t.stub.chat.url).port;
  const h = await harness();
  const denied = [new URL(`http://${h.config.temporal.address}`).port, new URL(h.config.ledger.url ?? '').port];
  const script = [
    ...denied.map((p) => `curl -s -o /dev/null -w 'worker=%{http_code}\\n' -m 5 http://127.0.0.1:${p}/`),
    'echo "no_proxy=${NO_PROXY-unset}/${no_proxy-unset} proxy=$HTTPS_PROXY/$HTTP_PROXY"',
    `curl -s -o /dev/null --noproxy '*' -m 5 http://127.0.0.1:${port}/ && echo direct=open || echo direct=closed`,
    `curl -s -o /dev/null -w 'proxied=%{http_code}\\n' -m 5 http://127.0.0.1:${port}/`,
  ].join('\n');
  const result = await run('command', script);
  assert.equal(result.status, 'succeeded', result.failureMessage);
  assert.match(result.finalText, /no_proxy=unset\/unset proxy=http:\/\/127\.0\.0\.1:3128\/http:\/\/127\.0\.0\.1:3128/);
  assert.match(result.finalText, /direct=closed/, 'no forwarder: nothing listens at the model port inside');
  assert.match(result.finalText, /proxied=404/, 'the proxy admits the loopback model (the stub answers 404 for GET /)');
  assert.equal(result.finalText.match(/worker=403/g)?.length, 2, 'Temporal and the ledger: refused by the proxy');
});

test('claude reaches its scripted model through the proxy (a Bash call, then the answer)', async () => {
  await assertThroughProxy('claude', t.stub.anthropic.requests, true);
});

test('codex reaches its scripted model through the proxy (exec_command, then the answer)', async () => {
  await assertThroughProxy('codex', t.stub.responses.requests, true);
});

test('opencode reaches its scripted model through the proxy (bash, then the answer)', async () => {
  const bash = { name: 'bash', arguments: { command: TOOL, description: 'print a number' } };
  t.stub.chat.setScript(
    chatTurns([
      { kind: 'message', toolCalls: [bash] },
      { kind: 'message', text: said('opencode') },
    ]),
  );
  await assertThroughProxy('opencode', t.stub.chat.requests, true);
});

test('gemini reaches its scripted model through the proxy (run_shell_command, then the answer)', async () => {
  await assertThroughProxy('gemini', t.stub.gemini.requests, true);
});

test('llm reaches its scripted model through the proxy', async () => {
  t.stub.chat.setScript(() => ({ kind: 'message', text: said('llm'), promptTokens: 10, completionTokens: 3 }));
  await assertThroughProxy('llm', t.stub.chat.requests, false);
});

test('aider reaches its scripted model through the proxy', async () => {
  t.stub.chat.setScript(() => ({ kind: 'message', text: said('aider'), promptTokens: 10, completionTokens: 3 }));
  await assertThroughProxy('aider', t.stub.chat.requests, false);
});

test('claude whose endpoint the proxy does not allow (set in its env, not baseUrl): EgressDenied, not AuthFailed', async () => {
  // Its endpoint only in the CLI's own env: the proxy allows the vendor's hosts, so the scripted server is refused.
  const { baseUrl: url, env } = claudeBackend(t.stub.anthropic.url);
  const h = await startWorker(t.env, {
    sandbox: { mode: 'bwrap', agentNetwork: 'proxy', loopbackModel: 'proxy' },
    backends: { claude: { env: { ...env, ANTHROPIC_BASE_URL: url } } },
  });
  try {
    const spec = resolveJobSpec({ prompt: 'hi', backend: 'claude', kind: 'llm', workspace: 'none' }, h.config);
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'EgressDenied', failure.message);
    assert.match(failure.message, /egress proxy refused 127\.0\.0\.1:\d+: list it in sandbox\.allowHosts/);
    assert.equal(await previousAttemptFailure(t.env.client, spec.jobId, 2), undefined, 'not retried');
  } finally {
    await h.stop();
  }
});

test('loopbackModel: forward keeps the forwarder; proxy allows the loopback endpoint, never the worker ports', () => {
  const raw = { temporal: { address: '127.0.0.1:7999' }, ledger: { url: 'postgres://u:p@127.0.0.1:6543/l' } };
  const b = { env: {}, extraArgs: [], baseUrl: 'http://127.0.0.1:8111/v1' };
  const forward = agentNetwork('llm', b, parseConfig(raw));
  assert.deepEqual(forward.kind === 'proxy' && forward.loopback, { host: '127.0.0.1', port: 8111 }, 'the default');
  const proxied = agentNetwork('llm', b, parseConfig({ ...raw, sandbox: { loopbackModel: 'proxy' } }));
  assert.ok(proxied.kind === 'proxy');
  assert.equal(proxied.loopback, undefined, 'no forwarder, hence no NO_PROXY');
  assert.deepEqual(proxied.allow, ['127.0.0.1:8111']);
  for (const p of [7999, 6543]) assert.ok(proxied.denyPorts.includes(p), `worker port ${p} denied`);
  assert.throws(() => parseConfig({ sandbox: { loopbackModel: 'direct' } }), /loopbackModel/);
});
