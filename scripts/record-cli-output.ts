// Records what each real agent CLI prints against a scripted model server (success, a file-writing tool call,
// 429, 401, a dead server): the fixtures test/parsers.test.ts feeds to the parsers.
// Run: node --import tsx scripts/record-cli-output.ts [backend…]   (npm run record-cli-output -- [backend…])
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { superviseAgent } from '../src/agents/process/supervise.js';
import { adapterFor } from '../src/agents/registry.js';
import { closedPort } from '../test/support/backend-cases.js';
import { makeRepo } from '../test/support/repo.js';
import {
  BACKENDS,
  CASES,
  contextFor,
  FAKE_KEYS,
  FIXTURES,
  TIMEOUT_SECONDS,
  type Backend,
  type Case,
  type Fixture,
  type Scenario,
} from '../test/support/recorded-output.js';
import { startAnthropicStub, type ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import { retryInfo, startGeminiStub, type GeminiReply } from '../src/dev/scripted-model/gemini.js';
import { startOpenAiChatStub, type ChatReply } from '../src/dev/scripted-model/openai-chat.js';
import {
  responsesTurns,
  startOpenAiResponsesStub,
  type ResponsesReply,
} from '../src/dev/scripted-model/openai-responses.js';

// Whatever credentials the environment holds never reach the CLIs (nor their output, nor a fixture): unset, unread.
const SENSITIVE =
  /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|AUTH|^ANTHROPIC_|^OPENAI_|^GEMINI_|^GOOGLE_|^CLAUDE_|^CODEX_|^OPENCODE_|^LLM_/i;
for (const name of Object.keys(process.env)) if (SENSITIVE.test(name)) delete process.env[name];

/** The absolute reset announced in 429s that carry one: a whole minute, ~2 days out (codex then prints the date). */
const RESET_AT = Math.ceil((Date.now() + 50 * 3600_000) / 60_000) * 60_000;
const RETRY_AFTER_SECONDS = 6;
const FILE = { path: 'hello.txt', content: 'hello from the fixture\n' };

/** One model turn: an answer, or the tool call that writes FILE; tokens as the API reports them: [input incl. cached, cached, output]. */
interface Step {
  text?: string;
  write?: boolean;
  tokens: [number, number, number];
}
type Reply = { kind: 'step'; step: Step } | { kind: 'error'; status: 401 | 429 };
const STEPS: Partial<Record<Case, Step[]>> = {
  success: [{ text: 'The answer is 42.', tokens: [1234, 400, 56] }],
  'tool-use': [
    { write: true, tokens: [1000, 0, 30] },
    { text: 'Wrote hello.txt.', tokens: [1500, 600, 12] },
  ],
};

interface Stub {
  url: string;
  requests(): number;
  usage(): { input: number; cached: number; output: number };
  close(): Promise<void>;
}
interface Protocol {
  start(script: Script, workspace: string): Promise<Stub>;
  /** Its 429 names an absolute reset (RESET_AT), else a relative one (RETRY_AFTER_SECONDS). */
  absoluteReset: boolean;
}

const auth401 = {
  error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
};
const tokensOf = (s: Step) => ({ input: s.tokens[0], cached: s.tokens[1], output: s.tokens[2] });
const turnOf = (messages: { role: string }[] | undefined, role: string): number =>
  (messages ?? []).filter((m) => m.role === role).length;

function anthropicReply(r: Reply, ws: string): ScriptedReply {
  if (r.kind === 'error' && r.status === 401)
    return {
      kind: 'error',
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    };
  if (r.kind === 'error')
    return {
      kind: 'error',
      status: 429,
      body: {
        type: 'error',
        error: { type: 'rate_limit_error', message: `Claude AI usage limit reached|${RESET_AT / 1000}` },
      },
    };
  const write = {
    type: 'tool_use' as const,
    name: 'Write',
    input: { file_path: join(ws, FILE.path), content: FILE.content },
  };
  return {
    kind: 'message',
    blocks: [r.step.write ? write : { type: 'text', text: r.step.text ?? '' }],
    inputTokens: r.step.tokens[0],
    outputTokens: r.step.tokens[2],
  };
}

function responsesReply(r: Reply): ResponsesReply {
  if (r.kind === 'error' && r.status === 401) return { kind: 'error', status: 401, body: auth401 };
  // A plain API 429 never shows its reset in codex; a usage limit with resets_at does.
  if (r.kind === 'error')
    return {
      kind: 'error',
      status: 429,
      body: {
        error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', resets_at: RESET_AT / 1000 },
      },
    };
  const { input, cached, output } = tokensOf(r.step);
  const usage = { inputTokens: input, cachedTokens: cached, outputTokens: output };
  const cmd = `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ${FILE.path}\n+${FILE.content.trimEnd()}\n*** End Patch\nEOF\n`;
  return r.step.write
    ? { kind: 'message', toolCalls: [{ name: 'exec_command', arguments: { cmd } }], ...usage }
    : { kind: 'message', text: r.step.text ?? '', ...usage };
}

/** Chat Completions for opencode (its write tool), llm (the --functions tool) and aider (a whole-format reply). */
function chatReply(backend: Backend, r: Reply, ws: string): ChatReply {
  if (r.kind === 'error' && r.status === 401) return { kind: 'error', status: 401, body: auth401 };
  if (r.kind === 'error') {
    const error = {
      message: `Rate limit reached for scripted on requests per min. Please try again in ${RETRY_AFTER_SECONDS}s.`,
      type: 'requests',
      code: 'rate_limit_exceeded',
    };
    return { kind: 'error', status: 429, body: { error }, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
  }
  const usage = { promptTokens: r.step.tokens[0], completionTokens: r.step.tokens[2] };
  if (!r.step.write) return { kind: 'message', text: r.step.text ?? '', ...usage };
  if (backend === 'aider')
    return {
      kind: 'message',
      text: `I will create ${FILE.path}.\n\n${FILE.path}\n\`\`\`\n${FILE.content}\`\`\`\n`,
      ...usage,
    };
  const call =
    backend === 'llm'
      ? { name: 'write_file', arguments: { path: FILE.path, content: FILE.content } }
      : { name: 'write', arguments: { filePath: join(ws, FILE.path), content: FILE.content } };
  return { kind: 'message', toolCalls: [call], ...usage };
}

function geminiReply(r: Reply, ws: string): GeminiReply {
  if (r.kind === 'error' && r.status === 401)
    return { kind: 'error', status: 401, message: 'API key not valid. Please pass a valid API key.' };
  if (r.kind === 'error')
    return {
      kind: 'error',
      status: 429,
      message: 'Resource has been exhausted (e.g. check quota).',
      details: [retryInfo(RETRY_AFTER_SECONDS)],
    };
  const write = {
    functionCall: { name: 'write_file', args: { file_path: join(ws, FILE.path), content: FILE.content } },
  };
  return {
    kind: 'message',
    parts: [r.step.write ? write : { text: r.step.text ?? '' }],
    promptTokens: r.step.tokens[0],
    outputTokens: r.step.tokens[2],
  };
}

const done: Reply = { kind: 'step', step: { text: 'done', tokens: [10, 0, 1] } };

/** The case's replies by turn; remembers the turns served, so the scenario states the answer actually sent. */
function scriptFor(kase: Case) {
  const replies: Reply[] = STEPS[kase]?.map((step) => ({ kind: 'step', step })) ?? [
    { kind: 'error', status: kase === 'auth' ? 401 : 429 },
  ];
  let last = -1;
  return {
    replies,
    at(turn: number): Reply {
      last = Math.max(last, turn);
      return replies[turn] ?? done;
    },
    lastText(): string | undefined {
      const r = replies[last];
      return r?.kind === 'step' ? r.step.text : undefined;
    },
  };
}
type Script = ReturnType<typeof scriptFor>;

type Tokens = ReturnType<Stub['usage']>;
const stubOf = (s: { url: string; requests: unknown[]; close(): Promise<void> }, usage: () => Tokens): Stub => ({
  url: s.url,
  close: s.close,
  requests: () => s.requests.length,
  usage,
});

// Requests without tools are the CLI's own side calls: answered for free, so the usage is the scripted turns'.
async function claudeStub(script: Script, ws: string): Promise<Stub> {
  const s = await startAnthropicStub((body) => {
    if (!body.tools?.length)
      return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }], inputTokens: 0, outputTokens: 0 };
    return anthropicReply(script.at(turnOf(body.messages, 'assistant')), ws);
  });
  return stubOf(s, () => ({ ...s.usageSent, cached: 0 }));
}

async function codexStub(script: Script): Promise<Stub> {
  // codex's turn is the tool outputs since the prompt (responsesTurns knows how to count them).
  const rendered = script.replies.map(responsesReply);
  const s = await startOpenAiResponsesStub((body, i) => {
    const n = rendered.indexOf(responsesTurns(rendered)(body, i));
    return responsesReply(script.at(n < 0 ? rendered.length : n));
  });
  return stubOf(s, () => ({ ...s.usageSent }));
}

async function geminiStub(script: Script, ws: string): Promise<Stub> {
  const s = await startGeminiStub((body) => {
    if (!body.tools?.length) return { kind: 'message', parts: [{ text: '{}' }], promptTokens: 0, outputTokens: 0 };
    return geminiReply(
      script.at(
        turnOf(
          body.contents?.map((c) => ({ role: c.role ?? '' })),
          'model',
        ),
      ),
      ws,
    );
  });
  return stubOf(s, () => ({ input: s.usageSent.prompt, cached: 0, output: s.usageSent.output }));
}

/** opencode's turn is its assistant messages so far; llm and aider make one request per turn (aider's prompt has example assistant turns). */
const chatStub =
  (backend: Backend) =>
  async (script: Script, ws: string): Promise<Stub> => {
    const s = await startOpenAiChatStub((body, i) => {
      if (backend !== 'opencode') return chatReply(backend, script.at(i), ws);
      if (!body.tools?.length) return { kind: 'message', text: 'ok', promptTokens: 0, completionTokens: 0 };
      return chatReply(backend, script.at(turnOf(body.messages, 'assistant')), ws);
    });
    return stubOf(s, () => ({ input: s.usageSent.prompt, cached: 0, output: s.usageSent.completion }));
  };

const PROTOCOLS: Record<Backend, Protocol> = {
  claude: { start: claudeStub, absoluteReset: true },
  codex: { start: codexStub, absoluteReset: true },
  gemini: { start: geminiStub, absoluteReset: false },
  opencode: { start: chatStub('opencode'), absoluteReset: false },
  llm: { start: chatStub('llm'), absoluteReset: false },
  aider: { start: chatStub('aider'), absoluteReset: false },
};

/** What the fixture says about a case a CLI cannot produce as asked. */
const NOTES: Partial<Record<`${Backend}/${Case}`, string>> = {
  'llm/tool-use':
    'llm has no file tool of its own: a --functions tool (backends.llm.extraArgs) writes the file; its JSON names tool calls, not files.',
  'aider/tool-use':
    'aider has no tool events: the whole-format reply names the file and aider writes it ("Applied edit to …"); one model request.',
  'codex/rate-limited':
    'codex shows no reset for a plain API 429: the server sends usage_limit_reached with resets_at; codex prints it to the minute in TZ (UTC).',
};

async function cliVersion(command: string): Promise<string> {
  const r = await execa(command, ['--version'], { reject: false, timeout: 30_000, stdin: 'ignore' });
  return (r.stdout || r.stderr).trim().split('\n').pop() ?? 'unknown';
}

async function runCli(backend: Backend, kase: Case, url: string, workspace: string) {
  const ctx = await contextFor(backend, kase, url, workspace);
  const adapter = adapterFor(backend);
  const state = adapter.prepare ? await adapter.prepare(ctx) : undefined;
  const stdout: string[] = [];
  const sup = await superviseAgent({
    invocation: adapter.invocation(ctx, state),
    cwd: workspace,
    outputFile: join(mkdtempSync(join(tmpdir(), 'nightshift-record-')), 'raw.jsonl'),
    outputLimit: 5 * 1024 * 1024,
    timeoutMs: TIMEOUT_SECONDS * 1000,
    hangMs: TIMEOUT_SECONDS * 1000,
    heartbeatMs: 1000,
    onLine: (line) => stdout.push(line),
    progress: () => undefined,
    watch: { heartbeat: () => undefined, signal: new AbortController().signal, shuttingDown: () => false },
  });
  if (sup.stopReason !== 'exited') console.warn(`${backend}/${kase}: stopped (${sup.stopReason})`);
  return {
    stdout,
    exit: { exitCode: sup.exitCode, signal: sup.signal, stderrTail: sup.stderrTail },
    stop: sup.stopReason,
  };
}

/** One backend × case: start the scripted server (or a closed port), run the CLI, describe what the server said. */
async function record(backend: Backend, kase: Case, version: string): Promise<Fixture> {
  const workspace = await makeRepo();
  const protocol = PROTOCOLS[backend];
  const script = scriptFor(kase);
  const stub = kase === 'server-down' ? undefined : await protocol.start(script, workspace);
  const url = stub?.url ?? `http://127.0.0.1:${await closedPort()}`;
  const startedAt = Date.now();
  try {
    const { stdout, exit, stop } = await runCli(backend, kase, url, workspace);
    const scenario: Scenario = { requests: stub?.requests() ?? 0, startedAt, endedAt: Date.now() };
    if (STEPS[kase] && stub) scenario.tokens = stub.usage();
    const text = script.lastText();
    if (text !== undefined) scenario.text = text;
    if (kase === 'tool-use') scenario.file = { ...FILE, written: readIf(join(workspace, FILE.path)) === FILE.content };
    if (kase === 'auth') scenario.status = 401;
    if (kase === 'rate-limited') {
      scenario.status = 429;
      if (protocol.absoluteReset) scenario.resetAt = RESET_AT;
      else scenario.retryAfterSeconds = RETRY_AFTER_SECONDS;
    }
    const note = [NOTES[`${backend}/${kase}`], stop !== 'exited' ? `the run was stopped (${stop})` : undefined]
      .filter(Boolean)
      .join(' ');
    if (note) scenario.note = note;
    return { backend, case: kase, cliVersion: version, workspace, exit, stdout, scenario };
  } finally {
    await stub?.close();
  }
}

const readIf = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/** The fixture's JSON; the stubs' fake keys (should a CLI echo one) are masked all the same. */
function clean(f: Fixture): string {
  let text = JSON.stringify(f, null, 2);
  for (const key of FAKE_KEYS) text = text.split(key).join('<fake-key>');
  return `${text}\n`;
}

async function recordBackend(backend: Backend): Promise<void> {
  const { command } = await contextFor(backend, 'success', 'http://127.0.0.1:9', tmpdir());
  const version = await cliVersion(command);
  mkdirSync(join(FIXTURES, backend), { recursive: true });
  for (const kase of CASES) {
    const f = await record(backend, kase, version);
    writeFileSync(join(FIXTURES, backend, `${kase}.json`), clean(f));
    console.log(
      `${backend}/${kase}: exit ${f.exit.exitCode ?? f.exit.signal}, ${f.stdout.length} stdout lines, ${f.scenario.requests} requests`,
    );
  }
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((b) => !(BACKENDS as readonly string[]).includes(b));
if (unknown.length) throw new Error(`unknown backend(s): ${unknown.join(', ')} (known: ${BACKENDS.join(', ')})`);
// Every temp dir of the run (workspaces, homes, state dirs, the CLIs' own temp files) lives under one root, removed at the end.
const root = mkdtempSync(join(tmpdir(), 'nightshift-record-'));
process.env['TMPDIR'] = root;
try {
  await Promise.all((wanted.length ? (wanted as Backend[]) : [...BACKENDS]).map(recordBackend));
} finally {
  rmSync(root, { recursive: true, force: true });
}
