// Aider: `aider --message …` edits files through its edit formats; plain-text output, exit 0 even on API errors.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { FailureClass } from '../../protocol/failures.js';
import { classifyFailure } from '../classify.js';
import type { AgentAdapter, ParsedRun, RunContext, StreamParser } from '../contract.js';
import { writeFileOnce } from '../support/files.js';
import { emptyRun } from '../support/json-lines.js';
import { oneTryPythonPath, statusFromError } from '../support/python-one-try.js';

const INSTRUCTIONS = 'CONVENTIONS.md';
const DAY_MS = 24 * 3600 * 1000;
const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Drops entries not touched for `maxAgeMs`: run dirs a failed run left, tags caches of removed worktrees. */
async function prune(dir: string, maxAgeMs: number): Promise<void> {
  const cutoff = Date.now() - maxAgeMs;
  for (const name of await readdir(dir).catch(() => [])) {
    const path = join(dir, name);
    const mtime = (await stat(path).catch(() => undefined))?.mtimeMs ?? Infinity;
    if (mtime < cutoff) await rm(path, { recursive: true, force: true });
  }
}

/** One run's own files and facts, made by `prepare` and read by every later stage. */
interface AiderRun {
  /** Histories and the analytics log (exact usage) of this run; removed after it. */
  runDir: string;
  tagsCache: string;
  pythonPath: string;
  metadataFile?: string;
  /** The workspace is a git repo (else --no-git, or aider would `git init` a scratch dir). */
  git: boolean;
  /** The workspace holds CONVENTIONS.md: read-only context for aider. */
  conventions: boolean;
}

/** Aider's model name: an OpenAI-compatible endpoint's models go through litellm's `openai/` provider. */
function modelName(ctx: RunContext): string | undefined {
  const model = ctx.model ?? ctx.config.model;
  if (!ctx.config.baseUrl) return model;
  if (!model) throw new Error('backends.aider.model is required when backends.aider.baseUrl is set');
  return model.includes('/') ? model : `openai/${model}`;
}

/** Minimal metadata for an endpoint model, so aider does not download litellm's price list to look it up. */
async function metadataFile(ctx: RunContext, model: string): Promise<string> {
  const file = join(ctx.stateDir, 'model-metadata', `${hash(model)}.json`);
  await writeFileOnce(file, `${JSON.stringify({ [model]: { litellm_provider: 'openai', mode: 'chat' } })}\n`);
  return file;
}

async function prepareAider(ctx: RunContext): Promise<AiderRun> {
  await prune(join(ctx.stateDir, 'runs'), DAY_MS);
  await prune(join(ctx.stateDir, 'tags-cache'), 7 * DAY_MS);
  const runDir = join(ctx.stateDir, 'runs', `${Date.now()}-${randomUUID().slice(0, 8)}`);
  await mkdir(runDir, { recursive: true });
  const tagsCache = join(ctx.stateDir, 'tags-cache', hash(ctx.workspace));
  if (existsSync(tagsCache)) await utimes(tagsCache, new Date(), new Date()); // in use: not pruned
  const model = modelName(ctx);
  const run: AiderRun = {
    runDir,
    tagsCache,
    pythonPath: await oneTryPythonPath(ctx.stateDir, ctx.config.env),
    git: existsSync(join(ctx.workspace, '.git')),
    conventions: existsSync(join(ctx.workspace, INSTRUCTIONS)),
  };
  if (model && ctx.config.baseUrl) run.metadataFile = await metadataFile(ctx, model);
  return run;
}

function aiderArgs(ctx: RunContext, { runDir, metadataFile, git, conventions }: AiderRun): string[] {
  const args = [
    '--message',
    ctx.prompt,
    '--yes-always',
    '--no-auto-commits',
    '--no-dirty-commits',
    '--no-pretty',
    '--no-stream',
  ];
  // Nothing interactive, nothing that phones home, nothing written into the workspace.
  args.push(
    '--no-check-update',
    '--no-show-release-notes',
    '--no-analytics',
    '--no-gitignore',
    '--no-show-model-warnings',
  );
  args.push(
    '--no-fancy-input',
    '--no-detect-urls',
    '--no-suggest-shell-commands',
    '--timeout',
    String(ctx.requestTimeoutSeconds),
  );
  args.push('--chat-history-file', join(runDir, 'chat.md'), '--input-history-file', join(runDir, 'input.history'));
  args.push('--analytics-log', join(runDir, 'analytics.jsonl')); // exact token counts (stdout rounds to "1.2k")
  const model = modelName(ctx);
  if (model) args.push('--model', model);
  if (ctx.config.baseUrl && metadataFile)
    args.push('--openai-api-base', ctx.config.baseUrl, '--model-metadata-file', metadataFile);
  if (!git) args.push('--no-git');
  if (conventions) args.push('--read', INSTRUCTIONS);
  return [...args, ...ctx.config.extraArgs];
}

/** "1.2k" → 1200 (aider rounds: exact below 1k, 0.1k below 10k, 1k above); the analytics log has exact counts. */
const tokens = (text: string | undefined): number =>
  text ? Math.round(parseFloat(text) * (text.endsWith('k') ? 1000 : 1)) : 0;
const USAGE =
  /^Tokens: ([\d.]+k?) sent(?:, ([\d.]+k?) cache write)?(?:, ([\d.]+k?) cache hit)?, ([\d.]+k?) received\.(?: Cost: \$[\d.]+ message, \$([\d.]+) session\.)?/;

const BANNER =
  /^(?:(?:Model|Main model|Editor model|Weak model|Git repo|Repo-map|See|Multiline mode): |Added .* to the chat|Restored previous)/;

function aiderParser(): StreamParser {
  const run: ParsedRun = emptyRun();
  let phase: 'preamble' | 'banner' | 'body' = 'preamble'; // before "Aider v…", its announcement lines, the rest
  let reply: string[] = [];
  let lastError = false; // the friendly line after a litellm error belongs to it
  const handle = (line: string): void => {
    const usage = USAGE.exec(line);
    if (usage) {
      run.gotResult = true;
      run.turns++;
      run.tokens.input += tokens(usage[1]);
      run.tokens.cacheWrite += tokens(usage[2]);
      run.tokens.cacheRead += tokens(usage[3]);
      run.tokens.output += tokens(usage[4]);
      if (usage[5]) run.costUsd = Number(usage[5]);
      run.finalText = reply.join('\n').trim().slice(-8000);
      reply = [];
      return;
    }
    const applied = /^Applied edit to (.+)$/.exec(line)?.[1];
    if (applied) {
      run.toolCalls++;
      if (!run.filesTouched.includes(applied)) run.filesTouched.push(applied);
      return;
    }
    const error = /^litellm\.\w+: .*/.exec(line)?.[0] ?? /^Model .* has hit a token limit!/.exec(line)?.[0];
    if (error) {
      run.isError = true;
      run.errorText = error;
      const status = error.startsWith('litellm.') ? statusFromError(error) : 400;
      if (status) run.errorStatus = status;
      lastError = true;
      return;
    }
    if (lastError && line.trim()) run.errorText = `${run.errorText ?? ''}\n${line}`;
    lastError = false;
    reply.push(line);
  };
  return {
    run,
    feed(line) {
      // The engine drops blank lines, so the banner ends at its first line that is not a banner line.
      if (phase === 'preamble' && line.startsWith('Aider v')) phase = 'banner';
      else if (phase === 'banner' && !BANNER.test(line)) phase = 'body';
      if (phase === 'body') handle(line);
    },
  };
}

/** Exact usage from the analytics log's message_send events (stdout rounds to "1.2k"). */
async function exactUsage(run: ParsedRun, file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const sends = text.split('\n').flatMap((l) => {
    try {
      const e = JSON.parse(l) as { event?: string; properties?: Record<string, unknown> };
      return e.event === 'message_send' && e.properties ? [e.properties] : [];
    } catch {
      return [];
    }
  });
  if (!sends.length) return;
  const sum = (key: string) => sends.reduce((s, p) => s + (typeof p[key] === 'number' ? p[key] : 0), 0);
  run.tokens.input = sum('prompt_tokens');
  run.tokens.output = sum('completion_tokens');
  if (sum('cost') > 0) run.costUsd = sum('cost');
}

export const aider: AgentAdapter<AiderRun> = {
  name: 'aider',
  defaultCommand: 'aider',
  instructionsFile: INSTRUCTIONS,
  ownEnv: ['OPENAI_', 'ANTHROPIC_', 'AIDER_'],
  sessions: false,
  prepare: prepareAider,
  invocation(ctx, run) {
    const env = {
      LITELLM_LOCAL_MODEL_COST_MAP: 'True', // litellm would download its model price list at import
      COLUMNS: '1000', // rich wraps at 80 columns when not a terminal: error lines would split
      BROWSER: 'true', // --yes-always accepts "Open URL for more info?": open nothing
      NIGHTSHIFT_AIDER_TAGS_CACHE: run.tagsCache, // not .aider.tags.cache.v4 in the workspace
      ...ctx.config.env,
      PYTHONPATH: run.pythonPath,
    };
    return { command: ctx.command, args: aiderArgs(ctx, run), env };
  },
  parser: aiderParser,
  classify(run, exit) {
    if (run.isError || exit.exitCode !== 0) return classifyFailure('aider', run, exit);
    if (!run.gotResult)
      return { ok: false, type: FailureClass.NoResult, message: 'aider exited 0 without a model reply' };
    return { ok: true };
  },
  async afterRun(run, _ctx, { runDir }) {
    await exactUsage(run, join(runDir, 'analytics.jsonl'));
    await rm(runDir, { recursive: true, force: true });
  },
};
