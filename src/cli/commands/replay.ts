// `nightshift replay <job|file>`: replay a recorded history against the current workflow code.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { isNotFound } from '../../client/not-found.js';
import { UsageError } from '../../support/usage-error.js';
import { workflowsPath } from '../../worker/worker.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

/** The history to check: a JSON file (as exported by the UI, the CLI or `record-histories`), or a workflow id. */
async function loadHistory(target: string, ctx: CliContext): Promise<{ id: string; history: unknown }> {
  if (existsSync(target)) return { id: target, history: historyFromFile(target) };
  if (!/^[\w.-]+$/.test(target)) throw new UsageError(`target: neither a file nor a workflow id: "${target}"`);
  const client = await ctx.client();
  try {
    return { id: target, history: await client.workflow.getHandle(target).fetchHistory() };
  } catch (err) {
    if (isNotFound(err)) throw new UsageError(`target: no workflow "${target}" and no such file`);
    throw err;
  }
}

const HOW_TO_GET_ONE =
  'replay the job by id (`nightshift replay <job id>`), or export its history with `nightshift history <job id> --export FILE` or `temporal workflow show --workflow-id <job id> --output json`';

/** A file must hold a Temporal history ({"events": [WorkflowExecutionStarted, …]}); anything else is a usage error. */
export function historyFromFile(file: string): History {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`history file: not valid JSON: "${file}" (${(err as Error).message})`);
  }
  const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (Array.isArray(obj['timeline']))
    throw new UsageError(
      `history file: "${file}" is a timeline (from \`nightshift history --json\`), not a Temporal history; ${HOW_TO_GET_ONE}`,
    );
  const events = obj['events'];
  const first: unknown = Array.isArray(events) ? events[0] : undefined;
  if (typeof first !== 'object' || first === null || !('workflowExecutionStartedEventAttributes' in first))
    throw new UsageError(
      `history file: "${file}" is not a Temporal history (expected {"events": [...]} starting with WorkflowExecutionStarted); ${HOW_TO_GET_ONE}`,
    );
  try {
    return historyFromJSON(value);
  } catch (err) {
    throw new UsageError(`history file: "${file}" has malformed events (${(err as Error).message}); ${HOW_TO_GET_ONE}`);
  }
}

/** Plain words for a replay failure: what diverged, and what to do about it. */
export function explainReplayFailure(id: string, message: string): string {
  const nondeterministic = /nondetermin/i.test(message);
  const detail = /Nondeterminism error: ([^"]+?)(?:", source|$)/.exec(message)?.[1] ?? message.slice(0, 400);
  return nondeterministic
    ? `${id}: the current workflow code does not match the recorded history — ${detail}. ` +
        'A change that adds, removes or reorders activities, timers, signals or child workflows must be guarded with patched() so that running and recorded workflows keep their old path.'
    : `${id}: replay failed — ${detail}`;
}

export async function replay(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, { workflows: { type: 'string' } });
  const target = positionals[0];
  if (!target) throw new UsageError('target: missing (a job id or a history JSON file)');
  const code = values.workflows ? resolve(values.workflows) : workflowsPath();
  if (values.workflows && !existsSync(code)) throw new UsageError(`--workflows: not found: "${values.workflows}"`);
  const { id, history } = await loadHistory(target, ctx);
  // The SDK's own logs (bundling, the failing task) go to stderr: stdout is the report.
  Runtime.install({
    logger: new DefaultLogger('ERROR', (e) => void process.stderr.write(`${e.level} ${e.message}\n`)),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } }, // native logs too
  });
  try {
    await Worker.runReplayHistory({ workflowsPath: code, replayName: 'nightshift-replay' }, history, id);
  } catch (err) {
    const explanation = explainReplayFailure(id, err instanceof Error ? err.message : String(err));
    if (values.json) printJson({ id, ok: false, explanation });
    else process.stdout.write(`${explanation}\n`);
    return 1;
  }
  if (values.json) printJson({ id, ok: true });
  else process.stdout.write(`${id}: replays cleanly against the current workflow code\n`);
  return 0;
}
