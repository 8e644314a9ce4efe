// A plain command as the agent (scripts, nightly maintenance): stdout is the answer, exit 0 is success.
import { FailureClass } from '../shared/failures.js';
import { emptyTokens } from '../shared/types.js';
import type { AgentAdapter, ParsedRun } from './contract.js';

export const command: AgentAdapter = {
  name: 'command',
  defaultCommand: 'true',
  sessions: false,
  invocation(ctx) {
    // The prompt travels in the environment, never as a shell string.
    return { command: ctx.command, args: [...ctx.config.extraArgs], env: { ...ctx.config.env, NIGHTSHIFT_PROMPT: ctx.prompt } };
  },
  parser() {
    const run: ParsedRun = { gotResult: false, isError: false, finalText: '', tokens: emptyTokens(), turns: 0, toolCalls: 0, filesTouched: [] };
    return {
      run,
      feed(line) {
        run.finalText = (run.finalText + line + '\n').slice(-4000);
      },
    };
  },
  classify(run, exit) {
    if (exit.exitCode === 0) return { ok: true };
    const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.exitCode ?? '?'}`;
    return { ok: false, type: FailureClass.AgentCrashed, message: `command ${how}: ${exit.stderrTail.slice(-300)}` };
  },
};
