// Codex: `codex exec --json`; JSONL thread/turn/item events; turn.completed usage is cumulative for the thread.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailureClass } from '../../protocol/failures.js';
import { emptyTokens, type TokenUsage } from '../../protocol/tokens.js';
import { classifyFailure } from '../classify.js';
import type { AgentAdapter, ParsedRun, RunContext, StreamParser } from '../contract.js';
import { zoneOffsetMs } from '../reset-time.js';
import { sandboxHelperDir, withPathFirst } from './codex-sandbox.js';
import { writeFileOnce } from '../support/files.js';
import { emptyRun, jsonLinesParser, num, obj, type Json } from '../support/json-lines.js';
import { touchFile } from '../support/workspace-paths.js';

const PROVIDER = 'nightshift';
/** The env var codex reads the custom provider's key from (config.env carries it; never argv). */
const KEY_ENV = 'OPENAI_API_KEY';
const NOT_TOOLS = new Set(['agent_message', 'reasoning', 'error', 'todo_list']);
const STATUS = /(?:unexpected status|last status:?)\s+(\d{3})/i;
const AGAIN = /try again at (?:([a-z]{3}) (\d{1,2})(?:st|nd|rd|th), (\d{4}) )?(\d{1,2}):(\d{2}) ?([ap]m)/i;
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

const codexHome = (ctx: RunContext): string => ctx.config.env['CODEX_HOME'] ?? join(ctx.stateDir, 'codex-home');
const usageFile = (ctx: RunContext, thread: string): string =>
  join(ctx.stateDir, 'thread-usage', `${thread.replace(/[^\w-]/g, '_')}.json`);

async function readUsage(path: string): Promise<TokenUsage> {
  try {
    return { ...emptyTokens(), ...(JSON.parse(await readFile(path, 'utf8')) as Partial<TokenUsage>) };
  } catch {
    return emptyTokens(); // no baseline: a new thread, or one started on another worker
  }
}

/** This run's CODEX_HOME (sessions: resume finds the thread there) and the resumed thread's usage so far. */
interface CodexRun {
  home: string;
  baseline: TokenUsage;
  /** Where `codex-linux-sandbox` is, for codex's bubblewrap sandbox. */
  helperDir: string | undefined;
}

async function prepareCodex(ctx: RunContext): Promise<CodexRun> {
  const home = codexHome(ctx);
  await mkdir(home, { recursive: true });
  const baseline = ctx.resumeSessionId ? await readUsage(usageFile(ctx, ctx.resumeSessionId)) : emptyTokens();
  return { home, baseline, helperDir: await sandboxHelperDir(ctx.stateDir, ctx.command) };
}

const combine = (a: TokenUsage, b: TokenUsage, sign: 1 | -1): TokenUsage => ({
  input: Math.max(0, a.input + sign * b.input),
  output: Math.max(0, a.output + sign * b.output),
  cacheRead: Math.max(0, a.cacheRead + sign * b.cacheRead),
  cacheWrite: Math.max(0, a.cacheWrite + sign * b.cacheWrite),
});

/** OpenAI counts cached tokens inside input_tokens; nightshift's `input` excludes cache reads. */
function threadUsage(u: Json): TokenUsage {
  const cached = num(u['cached_input_tokens']);
  return {
    input: Math.max(0, num(u['input_tokens']) - cached),
    output: num(u['output_tokens']),
    cacheRead: cached,
    cacheWrite: num(u['cache_write_input_tokens']),
  };
}

/** The zone codex formats reset times in: its TZ (config.env, else the worker's own). */
function localZone(ctx: RunContext): string {
  const tz = ctx.config.env['TZ'];
  try {
    if (tz) return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    // not an IANA name: codex falls back the same way we do
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Codex prints resets to the minute in its local zone ("3:28 PM", "Nov 25th, 2026 3:28 PM"): retry once that minute ends. */
export function codexResetAt(text: string, now: number, zone: string): number | undefined {
  const m = AGAIN.exec(text);
  if (!m?.[4] || !m[5] || !m[6]) return undefined;
  const today = new Date(now + zoneOffsetMs(zone, now));
  const month = m[1] ? MONTHS.indexOf(m[1].toLowerCase()) / 3 : today.getUTCMonth();
  if (!Number.isInteger(month) || month < 0) return undefined;
  const hour = (Number(m[4]) % 12) + (m[6].toLowerCase() === 'pm' ? 12 : 0);
  const day = m[2] ? Number(m[2]) : today.getUTCDate();
  const wall = Date.UTC(m[3] ? Number(m[3]) : today.getUTCFullYear(), month, day, hour, Number(m[5]));
  return wall - zoneOffsetMs(zone, wall - zoneOffsetMs(zone, now)) + 60_000;
}

/** A failure message: its HTTP status, and for a usage limit the reset codex announced. */
function noteError(run: ParsedRun, message: unknown, zone: string): void {
  if (typeof message !== 'string') return;
  run.errorText = message;
  delete run.errorStatus;
  delete run.rateLimitResetAt;
  const status = STATUS.exec(message)?.[1];
  if (status) run.errorStatus = Number(status);
  else if (/missing environment variable/i.test(message))
    run.errorStatus = 401; // no key: retrying cannot help
  else if (/hit your usage limit/i.test(message)) {
    run.errorStatus = 429;
    const at = codexResetAt(message, Date.now(), zone);
    if (at !== undefined) run.rateLimitResetAt = at;
  }
}

function noteItem(run: ParsedRun, item: Json, workspace: string): void {
  const type = String(item['type']);
  if (type === 'agent_message' && typeof item['text'] === 'string') run.finalText = item['text'];
  if (!NOT_TOOLS.has(type)) run.toolCalls++;
  if (type !== 'file_change') return;
  for (const change of (item['changes'] as unknown[] | undefined) ?? []) touchFile(run, workspace, obj(change)['path']);
}

function codexParser(ctx: RunContext, { baseline }: CodexRun): StreamParser {
  const run = emptyRun();
  const zone = localZone(ctx);
  const handlers: Record<string, (e: Json) => void> = {
    'thread.started': (e) => {
      if (typeof e['thread_id'] === 'string') run.sessionId = e['thread_id'];
    },
    'turn.started': () => void run.turns++,
    'item.completed': (e) => noteItem(run, obj(e['item']), ctx.workspace),
    'turn.completed': (e) => {
      run.gotResult = true;
      run.tokens = combine(threadUsage(obj(e['usage'])), baseline, -1); // this run's share only
    },
    'turn.failed': (e) => {
      run.isError = true;
      noteError(run, obj(e['error'])['message'], zone);
    },
    // "Reconnecting… n/5" notices arrive here too; only turn.failed ends the turn.
    error: (e) => noteError(run, e['message'], zone),
  };
  return jsonLinesParser(run, handlers);
}

/** `-c` overrides for a custom Responses provider at config.baseUrl, bounded so the engine owns retries. */
function providerArgs(ctx: RunContext): string[] {
  if (!ctx.config.baseUrl) return [];
  const p = `model_providers.${PROVIDER}`;
  const settings: [string, string | number][] = [
    ['model_provider', PROVIDER],
    [`${p}.name`, PROVIDER],
    [`${p}.base_url`, ctx.config.baseUrl],
    [`${p}.env_key`, KEY_ENV],
    [`${p}.wire_api`, 'responses'],
    [`${p}.request_max_retries`, 0],
    [`${p}.stream_max_retries`, 0],
    [`${p}.stream_idle_timeout_ms`, ctx.requestTimeoutSeconds * 1000],
  ];
  return settings.flatMap(([k, v]) => ['-c', `${k}=${typeof v === 'string' ? JSON.stringify(v) : v}`]);
}

/** `-c` overrides that mount the nightshift MCP server (`submit --mcp`); TOML values, which JSON's are here. */
function mcpArgs(ctx: RunContext): string[] {
  if (!ctx.mcp) return [];
  const { name, command, args, env } = ctx.mcp;
  const table = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const p = `mcp_servers.${name}`;
  return [
    ['command', JSON.stringify(command)],
    ['args', JSON.stringify(args)],
    ['env', `{${table.join(',')}}`],
    ['startup_timeout_sec', '30'],
    ['required', 'true'], // else `exec` starts its turn before the server is up, and the tools are not offered
    ['default_tools_approval_mode', '"approve"'], // `exec` never asks: unapproved MCP calls are refused
  ].flatMap(([k, v]) => ['-c', `${p}.${k}=${v}`]);
}

export const codex: AgentAdapter<CodexRun> = {
  name: 'codex',
  defaultCommand: 'codex',
  instructionsFile: 'AGENTS.md',
  ownEnv: ['OPENAI_', 'CODEX_'],
  sessions: true,
  mountsMcp: true,
  prepare: prepareCodex,
  invocation(ctx, { home, helperDir }) {
    // Inside the engine's bwrap (no capabilities) codex's own bwrap cannot start: the engine's sandbox is the one.
    const own = ctx.confined ? 'danger-full-access' : 'workspace-write';
    const args = ['exec', '--json', '--skip-git-repo-check', '--sandbox', own, '-C', ctx.workspace];
    const model = ctx.model ?? ctx.config.model;
    if (model) args.push('-m', model);
    // Without this codex waits for the network forever when the API is down.
    args.push(
      '--disable',
      'unbounded_connection_retries',
      ...providerArgs(ctx),
      ...mcpArgs(ctx),
      ...ctx.config.extraArgs,
    );
    if (ctx.resumeSessionId) args.push('resume', ctx.resumeSessionId);
    args.push('--', ctx.prompt);
    const path = withPathFirst(helperDir, ctx.config.env['PATH'] ?? process.env['PATH']);
    return { command: ctx.command, args, env: { CODEX_HOME: home, ...ctx.config.env, ...path } };
  },
  parser: codexParser,
  classify(run, exit) {
    if (run.gotResult && !run.isError) return { ok: true };
    if (!run.isError && run.errorText === undefined && exit.exitCode === 0) {
      return { ok: false, type: FailureClass.NoResult, message: 'codex exited 0 without turn.completed' };
    }
    return classifyFailure('codex', run, exit);
  },
  async afterRun(run, ctx) {
    if (!run.sessionId) return;
    // Persist the thread's cumulative usage: the next resume charges only what it adds.
    const path = usageFile(ctx, run.sessionId);
    await writeFileOnce(path, JSON.stringify(combine(await readUsage(path), run.tokens, 1)));
  },
};
