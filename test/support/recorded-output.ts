// Recorded CLI output (test/fixtures/cli-output): the fixture shape, each backend's config, and a replay through the real parser.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExitInfo, ParsedRun, RunContext, Verdict } from '../../src/agents/contract.js';
import { adapterFor } from '../../src/agents/registry.js';
import { runContextOf } from '../../src/agents/run.js';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { parseConfig } from '../../src/config/load.js';
import { FAKE_KEY as ANTHROPIC_KEY, claudeBackend } from './claude.js';
import { codexBackend, opencodeBackend } from './openai-clis.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/cli-output/', import.meta.url));
export const BACKENDS = ['claude', 'codex', 'opencode', 'gemini', 'llm', 'aider'] as const;
export const CASES = ['success', 'tool-use', 'rate-limited', 'auth', 'server-down'] as const;
export type Backend = (typeof BACKENDS)[number];
export type Case = (typeof CASES)[number];

export const OPENAI_KEY = 'sk-fixture-test-0123456789abcdefSECRET';
export const GEMINI_KEY = 'AIza-fixture-test-0123456789SECRET';
export const FAKE_KEYS = [ANTHROPIC_KEY, OPENAI_KEY, GEMINI_KEY];
export const PROMPT = 'Create hello.txt containing a greeting, then say what you did.';
export const TIMEOUT_SECONDS = 120;

/** What the scripted server was told to return, and when the run happened (relative resets are counted from it). */
export interface Scenario {
  /** The model's last answer (success, tool-use). */
  text?: string;
  /** Usage the server reported, summed over the run's model requests; `input` counts cached tokens (API style). */
  tokens?: { input: number; cached: number; output: number };
  requests: number;
  /** The file the tool call wrote, workspace-relative, and whether it exists after the run. */
  file?: { path: string; content: string; written: boolean };
  status?: number;
  /** Relative reset the server sent (retry-after, RetryInfo, "try again in Ns"). */
  retryAfterSeconds?: number;
  /** Absolute reset the server announced (epoch ms). */
  resetAt?: number;
  startedAt: number;
  endedAt: number;
  note?: string;
}

export interface Fixture {
  backend: Backend;
  case: Case;
  cliVersion: string;
  workspace: string;
  resumeSessionId?: string;
  exit: { exitCode: number | undefined; signal: string | undefined; stderrTail: string };
  stdout: string[];
  scenario: Scenario;
}

const home = (name: string): string => mkdtempSync(join(tmpdir(), `nightshift-${name}-home-`));

/** llm has no file tool of its own: a `--functions` tool (how a user gives llm tools) writes the file. */
const LLM_WRITE_TOOL = `import pathlib
def write_file(path: str, content: str) -> str:
    "Write content to the file at path (relative to the working directory)."
    pathlib.Path(path).write_text(content)
    return "wrote " + path`;

/**
 * The adapter's own endpoint model (baseUrl) does not declare `supports_tools`, so llm refuses tools with it:
 * the tool-use run uses the user's own llm config (LLM_USER_PATH) that declares the endpoint with tools.
 */
function llmWithTools(url: string): Record<string, unknown> {
  const dir = home('llm');
  const model = {
    model_id: 'fixture-scripted',
    model_name: 'scripted',
    api_base: url,
    api_key_name: 'nightshift',
    supports_tools: true,
  };
  writeFileSync(join(dir, 'extra-openai-models.yaml'), JSON.stringify([model], null, 2)); // JSON is YAML
  const env = { HOME: dir, LLM_USER_PATH: dir, OPENAI_API_KEY: OPENAI_KEY };
  return { model: 'fixture-scripted', env, extraArgs: ['--functions', LLM_WRITE_TOOL] };
}

/** The backend's config as the backend tests write it (fake keys, private HOME), pointed at `url`. */
export function backendConfig(backend: Backend, url: string, kase: Case): Record<string, unknown> {
  const openai = () => ({ baseUrl: url, model: 'scripted', env: { HOME: home(backend), OPENAI_API_KEY: OPENAI_KEY } });
  switch (backend) {
    case 'claude':
      return claudeBackend(url);
    case 'codex': {
      const c = codexBackend(url, OPENAI_KEY);
      return { ...c, env: { ...c.env, TZ: 'UTC' } }; // codex prints resets in local time: make it UTC
    }
    case 'opencode':
      return opencodeBackend(url, OPENAI_KEY);
    case 'gemini':
      return { baseUrl: url, model: 'gemini-2.5-pro', env: { HOME: home('gemini'), GEMINI_API_KEY: GEMINI_KEY } };
    case 'llm':
      return kase === 'tool-use' ? llmWithTools(url) : openai();
    case 'aider':
      return { ...openai(), extraArgs: ['--edit-format', 'whole'] };
  }
}

/** The RunContext the engine would build for this backend and case (`runContextOf`), in fresh temp dirs. */
export async function contextFor(
  backend: Backend,
  kase: Case,
  url: string,
  workspace: string,
  command?: string,
): Promise<RunContext> {
  const raw = backendConfig(backend, url, kase);
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-fixture-data-'));
  const config = parseConfig({ dataDir, backends: { [backend]: command ? { ...raw, command } : raw } });
  const spec = resolveJobSpec(
    { prompt: PROMPT, backend, kind: 'coding-agent', workspace: 'in-place', timeoutSeconds: TIMEOUT_SECONDS },
    config,
  );
  return runContextOf(spec, { path: workspace, mode: 'in-place', jobDir: dataDir, baseline: [] }, config);
}

export function readFixtures(): Fixture[] {
  const files = BACKENDS.flatMap((b) =>
    existsSync(join(FIXTURES, b)) ? readdirSync(join(FIXTURES, b)).map((f) => join(FIXTURES, b, f)) : [],
  );
  return files.filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Fixture);
}

export interface Replay {
  ctx: RunContext;
  run: ParsedRun;
  verdict: Verdict;
}

/**
 * Feeds a fixture's stdout to the backend's real parser (state from its real `prepare`, in temp dirs) and
 * classifies the run. `command` is any existing file: the parser never spawns, so no CLI needs to be installed.
 */
export async function replay(f: Fixture, lines = f.stdout, now = Date.now()): Promise<Replay> {
  const ctx = await contextFor(f.backend, f.case, 'http://127.0.0.1:9', f.workspace, process.execPath);
  const adapter = adapterFor(f.backend);
  const state = adapter.prepare ? await adapter.prepare(ctx) : undefined;
  const parser = adapter.parser(ctx, state);
  for (const line of lines) parser.feed(line);
  const exit: ExitInfo = { ...f.exit, now };
  return { ctx, run: parser.run, verdict: adapter.classify(parser.run, exit) };
}
