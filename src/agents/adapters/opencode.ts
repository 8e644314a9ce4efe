// OpenCode: `opencode run --format json`; a tiny plugin ends the run at the first retryable API error.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FailureClass } from '../../protocol/failures.js';
import { classifyFailure } from '../classify.js';
import type { AgentAdapter, RunContext, StreamParser } from '../contract.js';
import { writeFileOnce } from '../support/files.js';
import { emptyRun, jsonLinesParser, num, obj, str, type Json } from '../support/json-lines.js';
import { usageFigure } from '../support/usage.js';
import { hasEnv } from '../support/python-one-try.js';
import { mcpConfig } from './opencode-mcp.js';
import { touchFile } from '../support/workspace-paths.js';

const PROVIDER = 'nightshift';
const KEY_ENV = 'OPENAI_API_KEY';

// opencode retries 429/5xx/network errors 5 times (2 s doubling, or as long as retry-after says, uncapped)
// and has no setting for it. This plugin sees the retry status, prints what the API said (status, retry
// headers, when opencode would retry) as one JSON line on stdout, and aborts the session: the engine retries.
const FAIL_FAST_PLUGIN = `// Written by nightshift (src/agents/adapters/opencode.ts). Records model responses; never changes them.
let last = {};
const realFetch = globalThis.fetch;
globalThis.fetch = Object.assign(async (input, init) => {
  const post = String(init?.method ?? input?.method ?? 'GET').toUpperCase() === 'POST';
  try {
    const res = await realFetch(input, init);
    if (post) last = res.ok ? {} : { status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined, retryAfterMs: res.headers.get('retry-after-ms') ?? undefined };
    return res;
  } catch (err) {
    if (post) last = { fetchError: String(err?.message ?? err) };
    throw err;
  }
}, realFetch);
export const NightshiftFailFast = async ({ client }) => ({
  event: async ({ event }) => {
    if (event?.type !== 'session.status' || event.properties?.status?.type !== 'retry') return;
    const { sessionID, status } = event.properties;
    process.stdout.write(JSON.stringify({ type: 'nightshift_retry', timestamp: Date.now(), sessionID, attempt: status.attempt, message: status.message, next: status.next, ...last }) + '\\n');
    const r = await client.session.abort({ path: { id: sessionID } }).catch(() => undefined);
    if (!r || r.error) setTimeout(() => process.exit(1), 100);
  },
});
`;

/** Milliseconds a retry-after(-ms) header asks for (seconds or an HTTP date), if any. */
function retryAfterMs(headers: Json, now: number): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms)) return ms;
  const after = str(headers['retry-after']);
  if (!after) return undefined;
  const seconds = Number(after);
  return Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(after) - now) || undefined;
}

/** Paths a file tool wrote: filePath for write/edit, the patch's headers for apply_patch. */
function toolPaths(part: Json): unknown[] {
  const state = obj(part['state']);
  const input = obj(state['input']);
  const patch = str(input['patchText']) ?? '';
  const fromPatch = [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$/gm)].map((m) =>
    (m[1] ?? m[2])?.trim(),
  );
  return [input['filePath'], ...fromPatch];
}

function opencodeParser({ workspace }: RunContext): StreamParser {
  const run = emptyRun();
  let textMessage: unknown;
  const fail = (status: number | undefined, text: string, resetAt: number | undefined): void => {
    run.isError = true;
    if (status) run.errorStatus = status;
    run.errorText = text;
    if (resetAt) run.rateLimitResetAt = resetAt;
  };
  const handlers: Record<string, (e: Json, part: Json) => void> = {
    step_start: () => void run.turns++,
    text: (_e, part) => {
      const text = str(part['text']) ?? '';
      // The answer is the last assistant message's text; one message may have several text parts.
      run.finalText = part['messageID'] === textMessage && run.finalText ? `${run.finalText}\n${text}` : text;
      textMessage = part['messageID'];
    },
    tool_use: (_e, part) => {
      run.toolCalls++;
      if (obj(part['state'])['status'] === 'completed')
        for (const path of toolPaths(part)) touchFile(run, workspace, path);
    },
    step_finish: (_e, part) => {
      const tokens = obj(part['tokens']);
      const cache = obj(tokens['cache']);
      run.tokens.input += usageFigure(run, 'tokens.input', tokens['input']);
      run.tokens.output +=
        usageFigure(run, 'tokens.output', tokens['output']) + usageFigure(run, 'tokens.output', tokens['reasoning']);
      run.tokens.cacheRead += usageFigure(run, 'tokens.cacheRead', cache['read']);
      run.tokens.cacheWrite += usageFigure(run, 'tokens.cacheWrite', cache['write']);
      if (part['cost'] !== undefined) run.costUsd = (run.costUsd ?? 0) + usageFigure(run, 'costUsd', part['cost']);
      if (part['reason'] !== 'tool-calls') run.gotResult = true; // the model ended its turn
    },
    error: (e) => {
      const error = obj(e['error']);
      const data = obj(error['data']);
      const name = str(error['name']) ?? 'error';
      if (name === 'MessageAbortedError' && run.isError) return; // our plugin's abort after the real error
      const status = num(data['statusCode']) || { ProviderAuthError: 401, ContextOverflowError: 413 }[name];
      const wait = retryAfterMs(obj(data['responseHeaders']), num(e['timestamp']) || Date.now());
      const body = str(data['responseBody'])?.slice(0, 1000);
      const text = [str(data['message']) ?? name, body].filter(Boolean).join('\n');
      fail(status, text, wait !== undefined ? (num(e['timestamp']) || Date.now()) + wait : undefined);
    },
    nightshift_retry: (e) => {
      const hasHeader = e['retryAfter'] !== undefined || e['retryAfterMs'] !== undefined;
      const text = [str(e['message']), str(e['fetchError'])].filter(Boolean).join('\n') || 'retryable API error';
      fail(num(e['status']) || undefined, text, hasHeader ? num(e['next']) || undefined : undefined);
    },
  };
  // Every opencode event carries its `part` and the session id: hand the part to each handler.
  const withPart = Object.fromEntries(
    Object.entries(handlers).map(([type, h]) => [type, (e: Json) => h(e, obj(e['part']))]),
  );
  return jsonLinesParser(run, withPart, (e) => {
    if (!run.sessionId && typeof e['sessionID'] === 'string') run.sessionId = e['sessionID'];
  });
}

/** Inline config (OPENCODE_CONFIG_CONTENT, merged over the user's and the repo's): no file in the workspace. */
function inlineConfig(ctx: RunContext, model: string | undefined, pluginFile: string): Json {
  const own = obj(JSON.parse(ctx.config.env['OPENCODE_CONFIG_CONTENT'] ?? '{}'));
  const config: Json = {
    ...own,
    autoupdate: false,
    share: 'disabled',
    plugin: [...(Array.isArray(own['plugin']) ? own['plugin'] : []), pathToFileURL(pluginFile).href],
    ...(ctx.mcp ? mcpConfig(ctx.mcp, own) : {}),
  };
  if (!ctx.config.baseUrl || !model) return config;
  const timeoutMs = ctx.requestTimeoutSeconds * 1000; // time to first byte and between stream chunks
  const options = {
    baseURL: ctx.config.baseUrl,
    headerTimeout: timeoutMs,
    chunkTimeout: timeoutMs,
    ...(hasEnv(ctx.config.env, KEY_ENV) ? { apiKey: `{env:${KEY_ENV}}` } : {}),
  };
  const provider = { npm: '@ai-sdk/openai-compatible', name: PROVIDER, options, models: { [model]: { name: model } } };
  return {
    ...config,
    model: `${PROVIDER}/${model}`,
    small_model: `${PROVIDER}/${model}`,
    provider: { ...obj(own['provider']), [PROVIDER]: provider },
  };
}

/** The run's fail-fast plugin, written once per worker into the backend's state dir. */
interface OpencodeRun {
  pluginFile: string;
}

export const opencode: AgentAdapter<OpencodeRun> = {
  name: 'opencode',
  defaultCommand: 'opencode',
  instructionsFile: 'AGENTS.md',
  ownEnv: ['OPENAI_', 'OPENCODE_'],
  sessions: true,
  mountsMcp: true,
  async prepare(ctx) {
    const pluginFile = join(ctx.stateDir, 'nightshift-fail-fast.mjs');
    await writeFileOnce(pluginFile, FAIL_FAST_PLUGIN);
    return { pluginFile };
  },
  invocation(ctx, { pluginFile }) {
    const model = ctx.model ?? ctx.config.model;
    if (ctx.config.baseUrl && !model)
      throw new Error('backends.opencode.model is required when backends.opencode.baseUrl is set');
    // Error logs on stderr: the real cause behind opencode's "Unexpected server error" lands in stderrTail.
    const args = ['run', '--format', 'json', '--dir', ctx.workspace, '--print-logs', '--log-level', 'ERROR'];
    if (model) args.push('--model', ctx.config.baseUrl ? `${PROVIDER}/${model}` : model);
    // A title of our own skips opencode's extra (uncounted) model request that writes one.
    if (ctx.resumeSessionId) args.push('--session', ctx.resumeSessionId);
    else args.push('--title', `nightshift: ${ctx.prompt.split('\n')[0]?.slice(0, 60) ?? ''}`);
    args.push(...ctx.config.extraArgs, '--', ctx.prompt);
    // opencode takes its project directory from $PWD, which the worker's own cwd would otherwise fill.
    const env: Record<string, string> = { OPENCODE_DISABLE_AUTOUPDATE: '1', ...ctx.config.env, PWD: ctx.workspace };
    if (ctx.config.baseUrl) env['OPENCODE_DISABLE_MODELS_FETCH'] ??= '1'; // our provider needs no models.dev catalog
    env['OPENCODE_CONFIG_CONTENT'] = JSON.stringify(inlineConfig(ctx, model, pluginFile));
    return { command: ctx.command, args, env };
  },
  parser: opencodeParser,
  classify(run, exit) {
    if (!run.isError && exit.exitCode === 0) {
      return run.gotResult
        ? { ok: true }
        : { ok: false, type: FailureClass.NoResult, message: 'opencode exited 0 without a final answer' };
    }
    const missingModel = /ProviderModelNotFoundError: ([^\n"]+)/.exec(exit.stderrTail)?.[1];
    if (missingModel) return { ok: false, type: FailureClass.BadRequest, message: missingModel.slice(0, 500) };
    return classifyFailure('opencode', run, exit);
  },
};
