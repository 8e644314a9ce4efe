// Gemini CLI: `gemini -p … --output-format stream-json --yolo -m M`; success is the result event's status.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FailureClass } from '../../protocol/failures.js';
import { classifyFailure } from '../classify.js';
import type { McpMount } from '../../config/mcp-mount.js';
import type { AgentAdapter, ExitInfo, ParsedRun, RunContext, StreamParser, Verdict } from '../contract.js';
import { writeFileOnce } from '../support/files.js';
import { emptyRun, jsonLinesParser, num, obj, str, type Json } from '../support/json-lines.js';
import { usageFigure } from '../support/usage.js';
import { touchFile } from '../support/workspace-paths.js';
import { mcpArgs, mcpEnv, mcpServerEntry } from './gemini-mcp.js';

/** The CLI's own default; always passed, since without `-m` a router call retries 5 times on its own. */
export const GEMINI_DEFAULT_MODEL = 'gemini-2.5-pro';
const FILE_TOOLS = new Set(['write_file', 'replace']);
/** The CLI exits with the HTTP status (mod 256): 429 → 173, 401 → 145 … */
const EXIT_STATUS: Record<number, number> = { 144: 400, 145: 401, 147: 403, 148: 404, 157: 413, 173: 429 };
/** Fatal exits that retrying cannot fix: 42 input, 52 config, 55 untrusted folder. */
const BAD_INPUT_EXITS = new Set([42, 52, 55]);

/** "Suggested retry after 6.5s." (the CLI quotes the API's RetryInfo) → epoch ms, rounded up. */
function suggestedRetry(text: string, now: number): number | undefined {
  const m = /retry after (\d+(?:\.\d+)?)s\b/i.exec(text);
  return m?.[1] ? now + Math.ceil(Number(m[1]) * 1000) : undefined;
}

/** The result event: status, error (HTTP code, suggested retry) and the run's token stats. */
function applyResult(run: ParsedRun, e: Json): void {
  const stats = obj(e['stats']);
  const message = str(obj(e['error'])['message']) ?? '';
  run.gotResult = true;
  run.isError = e['status'] !== 'success';
  if (run.isError) run.errorText = message || run.errorText || 'gemini reported an error';
  const code = /"code":\s*(\d{3})/.exec(message)?.[1];
  if (code) run.errorStatus = Number(code);
  const reset = suggestedRetry(message, Date.now());
  if (reset) run.rateLimitResetAt = reset;
  const prompt = usageFigure(run, 'tokens.input', stats['input_tokens']);
  const cached = usageFigure(run, 'tokens.cacheRead', stats['cached']);
  // promptTokenCount includes cached tokens; totalTokenCount also counts thinking, which is billed as output.
  run.tokens = {
    input: prompt - cached,
    output: Math.max(
      usageFigure(run, 'tokens.output', stats['output_tokens']),
      usageFigure(run, 'tokens.total', stats['total_tokens']) - prompt,
    ),
    cacheRead: cached,
    cacheWrite: 0,
  };
  run.toolCalls = num(stats['tool_calls']) || run.toolCalls;
}

function geminiParser({ workspace }: RunContext): StreamParser {
  const run = emptyRun();
  const pending = new Map<string, string>(); // tool_id → file path, counted once the tool succeeds
  let inModelTurn = false;
  const modelOutput = (): void => {
    if (inModelTurn) return;
    inModelTurn = true;
    run.turns++;
    run.finalText = ''; // the final text is the last model turn's text
  };
  const handlers: Record<string, (e: Json) => void> = {
    init: (e) => {
      if (typeof e['session_id'] === 'string') run.sessionId = e['session_id'];
    },
    message: (e) => {
      if (e['role'] !== 'assistant') return void (inModelTurn = false);
      modelOutput();
      run.finalText += str(e['content']) ?? '';
    },
    tool_use: (e) => {
      modelOutput();
      run.toolCalls++;
      const path = obj(e['parameters'])['file_path'];
      if (FILE_TOOLS.has(str(e['tool_name']) ?? '') && typeof path === 'string')
        pending.set(str(e['tool_id']) ?? '', path);
    },
    tool_result: (e) => {
      inModelTurn = false;
      const path = pending.get(str(e['tool_id']) ?? '');
      if (path !== undefined && e['status'] === 'success') touchFile(run, workspace, path);
    },
    error: (e) => {
      if (e['severity'] === 'error') run.errorText = str(e['message']) ?? '';
    },
    result: (e) => applyResult(run, e),
  };
  return jsonLinesParser(run, handlers);
}

/** Runs sharing a home update its settings one at a time: a stale read must not drop another run's entry. */
const settingsWrites = new Map<string, Promise<void>>();

function writeSettings(geminiHome: string, mcp: McpMount | undefined): Promise<void> {
  const file = join(geminiHome, '.gemini', 'settings.json');
  const next = (settingsWrites.get(file) ?? Promise.resolve()).then(() => mergeSettings(file, mcp));
  const settled = next.catch(() => undefined); // a failed write fails its own run, not the next one
  settingsWrites.set(file, settled);
  return next;
}

/** Fail-fast and offline-safe settings merged into the CLI's user settings (never the workspace). */
async function mergeSettings(file: string, mcp: McpMount | undefined): Promise<void> {
  let current: Json = {};
  try {
    current = obj(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    current = {}; // missing, or unreadable settings (which would make the CLI exit 52 anyway)
  }
  const security = obj(current['security']);
  const auth = obj(security['auth']);
  const next: Json = {
    ...current,
    // The engine owns retries: one attempt per request inside the CLI.
    general: {
      ...obj(current['general']),
      maxAttempts: 1,
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
    },
    privacy: { ...obj(current['privacy']), usageStatisticsEnabled: false },
    security: { ...security, auth: { selectedType: 'gemini-api-key', ...auth } },
    ...(mcp ? { mcpServers: { ...obj(current['mcpServers']), [mcp.name]: mcpServerEntry(mcp) } } : {}),
  };
  await writeFileOnce(file, JSON.stringify(next, null, 2));
}

/** The CLI's home (settings, sessions), outside the workspace: config.env's home, else the backend state dir. */
interface GeminiRun {
  home: string;
}

function classifyGemini(run: ParsedRun, exit: ExitInfo): Verdict {
  if (run.gotResult && !run.isError) return { ok: true };
  if (!run.gotResult && exit.exitCode === 0)
    return { ok: false, type: FailureClass.NoResult, message: 'gemini exited 0 without a result event' };
  const text = [run.errorText, exit.stderrTail].filter(Boolean).join('\n');
  const firstLine =
    text
      .split('\n')
      .find((l) => l.trim())
      ?.slice(0, 500) ?? `gemini exit ${exit.exitCode ?? '?'}`;
  if (exit.exitCode === 41) return { ok: false, type: FailureClass.AuthFailed, message: firstLine };
  if (exit.exitCode !== undefined && BAD_INPUT_EXITS.has(exit.exitCode))
    return { ok: false, type: FailureClass.BadRequest, message: firstLine };
  const status = run.errorStatus ?? (exit.exitCode !== undefined ? EXIT_STATUS[exit.exitCode] : undefined);
  const resetAt = run.rateLimitResetAt ?? suggestedRetry(exit.stderrTail, exit.now);
  return classifyFailure(
    'gemini',
    { ...run, ...(status ? { errorStatus: status } : {}), ...(resetAt ? { rateLimitResetAt: resetAt } : {}) },
    exit,
  );
}

export const gemini: AgentAdapter<GeminiRun> = {
  name: 'gemini',
  defaultCommand: 'gemini',
  instructionsFile: 'GEMINI.md',
  ownEnv: ['GEMINI_', 'GOOGLE_'],
  sessions: true,
  mountsMcp: true,
  async prepare(ctx) {
    const home = ctx.config.env['GEMINI_CLI_HOME'] ?? ctx.config.env['HOME'] ?? join(ctx.stateDir, 'home');
    await writeSettings(home, ctx.mcp);
    return { home };
  },
  invocation(ctx, { home }) {
    const cfgEnv = ctx.config.env;
    const args = [
      '-p',
      ctx.prompt,
      '--output-format',
      'stream-json',
      '--yolo',
      '-m',
      ctx.model ?? ctx.config.model ?? GEMINI_DEFAULT_MODEL,
    ];
    if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
    if (ctx.mcp) args.push(...mcpArgs(ctx.mcp));
    args.push(...ctx.config.extraArgs);
    // A trusted workspace is also what lets gemini start a stdio MCP server.
    const env: Record<string, string> = { GEMINI_CLI_HOME: home, GEMINI_CLI_TRUST_WORKSPACE: 'true', ...cfgEnv };
    if (ctx.mcp) Object.assign(env, mcpEnv(ctx.mcp));
    if (ctx.config.baseUrl) env['GOOGLE_GEMINI_BASE_URL'] = ctx.config.baseUrl;
    return { command: ctx.command, args, env };
  },
  parser: geminiParser,
  classify: classifyGemini,
};
