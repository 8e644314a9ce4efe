// Simon Willison's `llm`: `llm prompt --json` prints the logged response (text, tokens, conversation id).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FailureClass } from '../../protocol/failures.js';
import { classifyFailure } from '../classify.js';
import { emptyRun, num, obj, type Json } from '../support/json-lines.js';
import { usageFigure } from '../support/usage.js';
import type { AgentAdapter, ParsedRun, RunContext, StreamParser } from '../contract.js';
import { writeFileOnce } from '../support/files.js';
import { hasEnv, oneTryPythonPath, statusFromError } from '../support/python-one-try.js';

/** Where conversations live: one log database per worker (or the user's own LLM_USER_PATH), so `--cid` resumes. */
const logHome = (ctx: RunContext): string => ctx.config.env['LLM_USER_PATH'] ?? join(ctx.stateDir, 'llm');

/** An OpenAI-compatible endpoint as an llm model: its own config dir per (baseUrl, model), so runs never race. */
async function endpointModel(
  ctx: RunContext,
  baseUrl: string,
  model: string | undefined,
): Promise<Omit<LlmRun, 'pythonPath'>> {
  if (!model) throw new Error('backends.llm.model is required when backends.llm.baseUrl is set');
  const key = createHash('sha256').update(`${baseUrl}\n${model}`).digest('hex').slice(0, 16);
  const userPath = join(ctx.stateDir, 'llm', 'endpoints', key);
  const modelId = `nightshift/${model}`;
  // api_key_name makes llm send OPENAI_API_KEY from the environment; without a key it sends a dummy one.
  const entry = {
    model_id: modelId,
    model_name: model,
    api_base: baseUrl,
    ...(hasEnv(ctx.config.env, 'OPENAI_API_KEY') ? { api_key_name: 'nightshift' } : {}),
  };
  await writeFileOnce(join(userPath, 'extra-openai-models.yaml'), `${JSON.stringify([entry], null, 2)}\n`); // JSON is YAML
  return { userPath, modelId };
}

/** Where this run's llm reads its config and which model id it uses (an endpoint's own, or the configured one). */
interface LlmRun {
  userPath: string;
  modelId?: string;
  pythonPath: string;
}

async function prepareLlm(ctx: RunContext): Promise<LlmRun> {
  const model = ctx.model ?? ctx.config.model;
  const base = ctx.config.baseUrl
    ? await endpointModel(ctx, ctx.config.baseUrl, model)
    : { userPath: logHome(ctx), ...(model ? { modelId: model } : {}) };
  return { ...base, pythonPath: await oneTryPythonPath(ctx.stateDir, ctx.config.env) };
}

function llmParser(): StreamParser {
  const run = emptyRun();
  let buffer = '';
  return {
    run,
    feed(line) {
      if (!buffer && line !== '[') return; // anything before the JSON array (a warning) is skipped
      buffer += `${line}\n`;
      if (line.trimEnd() !== ']') return; // --json prints one pretty-printed array; parse once it closes
      let rows: unknown;
      try {
        rows = JSON.parse(buffer);
      } catch {
        return; // a "]" inside the answer text: keep reading
      }
      if (Array.isArray(rows)) fill(run, rows.map(obj));
    },
  };
}

/** One row per model response (several when tools chain); tokens are this run's only. */
function fill(run: ParsedRun, rows: Json[]): void {
  run.gotResult = rows.length > 0;
  run.turns = rows.length;
  for (const row of rows) {
    if (typeof row['conversation_id'] === 'string') run.sessionId = row['conversation_id'];
    if (typeof row['response'] === 'string') run.finalText = row['response'];
    run.tokens.input += usageFigure(run, 'tokens.input', row['input_tokens']);
    run.tokens.output += usageFigure(run, 'tokens.output', row['output_tokens']);
    // OpenAI counts cached prompt tokens inside input_tokens; cacheRead reports that share.
    run.tokens.cacheRead += num(obj(obj(row['token_details'])['prompt_tokens_details'])['cached_tokens']);
    run.toolCalls += Array.isArray(row['tool_calls']) ? row['tool_calls'].length : 0;
  }
}

export const llm: AgentAdapter<LlmRun> = {
  name: 'llm',
  defaultCommand: 'llm',
  ownEnv: ['OPENAI_', 'LLM_'],
  sessions: true,
  prepare: prepareLlm,
  invocation(ctx, run) {
    const env = { ...ctx.config.env, PYTHONPATH: run.pythonPath, LLM_USER_PATH: run.userPath };
    // `prompt` explicitly: a prompt that reads like a subcommand ("logs") must stay a prompt.
    const args = ['prompt', '--json', '--log', '-d', join(logHome(ctx), 'logs.db')];
    if (run.modelId) args.push('-m', run.modelId);
    if (ctx.resumeSessionId) args.push('--cid', ctx.resumeSessionId);
    else if (ctx.instructions) args.push('-s', ctx.instructions); // a resumed conversation keeps its system prompt
    args.push(...ctx.config.extraArgs, '--', ctx.prompt);
    return { command: ctx.command, args, env };
  },
  parser: llmParser,
  classify(run, exit) {
    if (exit.exitCode === 0 && run.gotResult) return { ok: true };
    if (exit.exitCode === 0)
      return { ok: false, type: FailureClass.NoResult, message: 'llm exited 0 without a JSON response' };
    const errorText =
      exit.stderrTail
        .split('\n')
        .filter((l) => l.startsWith('Error: '))
        .pop() ?? '';
    if (/^Error: No key found/.test(errorText)) return { ok: false, type: FailureClass.AuthFailed, message: errorText };
    const status = statusFromError(errorText);
    return classifyFailure('llm', { ...run, errorText, ...(status ? { errorStatus: status } : {}) }, exit);
  },
};
