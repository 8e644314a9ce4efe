// Claude Code: `claude -p … --output-format stream-json --verbose`; success is the result event's is_error.
import { FailureClass } from '../../protocol/failures.js';
import { classifyFailure } from '../classify.js';
import type { AgentAdapter, RunContext, StreamParser } from '../contract.js';
import type { McpMount } from '../../config/mcp-mount.js';
import { emptyRun, jsonLinesParser, num, obj, type Json } from '../support/json-lines.js';
import { usageFigure } from '../support/usage.js';
import { touchFile } from '../support/workspace-paths.js';

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

function claudeParser({ workspace }: RunContext): StreamParser {
  const run = emptyRun();
  const perMessage = new Map<string, { input: number; output: number }>(); // live totals before the result event
  const handlers: Record<string, (e: Json) => void> = {
    system: (e) => {
      if (e['subtype'] === 'init' && typeof e['session_id'] === 'string') run.sessionId = e['session_id'];
    },
    assistant: (e) => {
      run.turns++;
      const message = obj(e['message']);
      const usage = obj(message['usage']);
      perMessage.set(String(message['id']), {
        input: usageFigure(run, 'tokens.input', usage['input_tokens']),
        output: usageFigure(run, 'tokens.output', usage['output_tokens']),
      });
      run.tokens.input = [...perMessage.values()].reduce((s, u) => s + u.input, 0);
      run.tokens.output = [...perMessage.values()].reduce((s, u) => s + u.output, 0);
      for (const block of (message['content'] as unknown[] | undefined) ?? []) {
        const b = obj(block);
        if (b['type'] !== 'tool_use') continue;
        run.toolCalls++;
        if (FILE_TOOLS.has(String(b['name'])))
          touchFile(run, workspace, obj(b['input'])['file_path'] ?? obj(b['input'])['notebook_path']);
      }
      if (typeof e['api_error_status'] === 'number') run.errorStatus = e['api_error_status'];
    },
    rate_limit_event: (e) => {
      const info = obj(e['rate_limit_info']);
      if (info['status'] === 'rejected' && num(info['resetsAt']) > 0)
        run.rateLimitResetAt = num(info['resetsAt']) * 1000;
    },
    result: (e) => {
      const usage = obj(e['usage']);
      run.gotResult = true;
      run.isError = e['is_error'] === true;
      run.finalText = typeof e['result'] === 'string' ? e['result'] : '';
      if (typeof e['session_id'] === 'string') run.sessionId = e['session_id'];
      if (e['total_cost_usd'] !== undefined) run.costUsd = usageFigure(run, 'costUsd', e['total_cost_usd']);
      if (typeof e['api_error_status'] === 'number') run.errorStatus = e['api_error_status'];
      if (run.isError) run.errorText = run.finalText;
      run.turns = num(e['num_turns']) || run.turns;
      run.tokens = {
        input: usageFigure(run, 'tokens.input', usage['input_tokens']),
        output: usageFigure(run, 'tokens.output', usage['output_tokens']),
        cacheRead: usageFigure(run, 'tokens.cacheRead', usage['cache_read_input_tokens']),
        cacheWrite: usageFigure(run, 'tokens.cacheWrite', usage['cache_creation_input_tokens']),
      };
    },
  };
  return jsonLinesParser(run, handlers);
}

/** Only this server (`--strict-mcp-config`: none from the user's files), every tool of it allowed without a prompt. */
function mcpArgs({ name, command, args, env }: McpMount): string[] {
  const config = { mcpServers: { [name]: { type: 'stdio', command, args, env } } };
  return [`mcp__${name}`, '--mcp-config', JSON.stringify(config), '--strict-mcp-config'];
}

export const claude: AgentAdapter = {
  name: 'claude',
  defaultCommand: 'claude',
  instructionsFile: 'CLAUDE.md',
  ownEnv: ['ANTHROPIC_', 'CLAUDE_'],
  sessions: true,
  mountsMcp: true,
  invocation(ctx) {
    const args = ['-p', ctx.prompt, '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'];
    args.push('--allowedTools', 'Bash', 'Edit', 'Write', 'Read', 'Glob', 'Grep');
    if (ctx.mcp) args.push(...mcpArgs(ctx.mcp));
    const model = ctx.model ?? ctx.config.model;
    if (model) args.push('--model', model);
    if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
    args.push(...ctx.config.extraArgs);
    // The engine owns retries: one try inside the CLI, then a classified failure.
    const env: Record<string, string> = {
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...ctx.config.env,
    };
    // The documented way to point claude at an Anthropic-compatible endpoint (it reads ANTHROPIC_BASE_URL).
    if (ctx.config.baseUrl) env['ANTHROPIC_BASE_URL'] = ctx.config.baseUrl;
    // Else `-p` starts its first turn before the server is up, and a brain's first call finds no such tool.
    if (ctx.mcp) env['MCP_CONNECTION_NONBLOCKING'] = 'false';
    return { command: ctx.command, args, env };
  },
  parser: claudeParser,
  classify(run, exit) {
    if (run.gotResult && !run.isError) return { ok: true };
    if (!run.gotResult && exit.exitCode === 0) {
      return { ok: false, type: FailureClass.NoResult, message: 'claude exited 0 without a result event' };
    }
    return classifyFailure('claude', run, exit);
  },
};
