// A plain command as the agent (scripts, nightly maintenance): stdout is the answer, exit 0 is success.
// A script that calls a model itself may report its usage on one stdout line:
// {"nightshift":{"tokens":{"input":N,"output":N,"cacheRead":N,"cacheWrite":N},"costUsd":X}}
import { FailureClass } from '../../protocol/failures.js';
import type { AgentAdapter, ParsedRun } from '../contract.js';
import { addTokens } from '../../protocol/tokens.js';
import { emptyRun, obj } from '../support/json-lines.js';
import { validReport } from '../support/usage.js';

export const command: AgentAdapter = {
  name: 'command',
  defaultCommand: 'true',
  ownEnv: [],
  sessions: false,
  invocation(ctx) {
    // The prompt travels in the environment, never as a shell string.
    return {
      command: ctx.command,
      args: [...ctx.config.extraArgs],
      env: { ...ctx.config.env, NIGHTSHIFT_PROMPT: ctx.prompt },
    };
  },
  parser() {
    const run = emptyRun();
    return {
      run,
      feed(line) {
        if (line.startsWith('{"nightshift"') && readUsage(line, run)) return;
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

/** Reads a usage line into the run (all of it, or none when a figure is bad); false when the line is not one. */
function readUsage(line: string, run: ParsedRun): boolean {
  let usage: Parameters<typeof validReport>[1] | undefined;
  try {
    usage = (JSON.parse(line) as { nightshift?: typeof usage }).nightshift;
  } catch {
    return false;
  }
  if (!usage || typeof usage !== 'object') return false;
  const report = validReport(run, { tokens: obj(usage.tokens), costUsd: usage.costUsd });
  if (!report) return true;
  addTokens(run.tokens, report.tokens);
  if (report.costUsd !== undefined) run.costUsd = (run.costUsd ?? 0) + report.costUsd;
  return true;
}
