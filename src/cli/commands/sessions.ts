// `nightshift sessions [--json]`, `sessions close <name>`, and the `submit --session` path.
import {
  closeSession,
  listSessions,
  submitToSession,
  waitForSessionJob,
  type SessionRow,
} from '../../client/sessions.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { printResult } from '../format.js';

const out = (line: string): boolean => process.stdout.write(line + '\n');

export async function sessions(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(argv, {});
  const [sub, name, ...extra] = positionals;
  if (sub === 'close') {
    if (!name || extra.length)
      throw new UsageError('session name: expected one (e.g. `nightshift sessions close inbox-triage`)');
    const view = await closeSession(await ctx.client(), ctx.config, name);
    if (values.json) printJson(view);
    else out(`${name}: close requested${view.running ? ` (after ${view.running})` : ''}`);
    return 0;
  }
  if (sub !== undefined && sub !== 'list')
    throw new UsageError(`sessions: unknown subcommand "${sub}" (try: list, close <name>)`);
  const rows = await listSessions(await ctx.client(), ctx.config);
  if (values.json) printJson(rows);
  else printSessions(rows);
  return 0;
}

function printSessions(rows: SessionRow[]): void {
  if (!rows.length) {
    out('no open sessions');
    return;
  }
  out(
    `${'NAME'.padEnd(20)} ${'BACKEND'.padEnd(9)} ${'AGENT SESSION'.padEnd(37)} ${'JOBS'.padStart(5)} ${'QUEUED'.padStart(6)} ${'TOKENS'.padStart(10)}  LAST USED`,
  );
  for (const r of rows) {
    const tokens = r.tokens.input + r.tokens.output + r.tokens.cacheRead + r.tokens.cacheWrite;
    out(
      `${r.name.padEnd(20)} ${(r.backend ?? '-').padEnd(9)} ${(r.agentSessionId ?? '-').padEnd(37)} ${String(r.jobsDone).padStart(5)} ${String(r.queued.length + (r.running ? 1 : 0)).padStart(6)} ${String(tokens).padStart(10)}  ${new Date(r.lastUsedAt).toISOString()}${r.closing ? '  (closing)' : ''}`,
    );
  }
}

/** `submit --session NAME`: prints the job id, or with `--wait` the session's record of the job. */
export async function submitToSessionCli(
  name: string,
  raw: Record<string, unknown>,
  ctx: CliContext,
  opts: { wait: boolean; json: boolean },
): Promise<number> {
  const client = await ctx.client();
  const spec = await submitToSession(client, ctx.config, name, raw);
  if (!opts.wait) {
    if (opts.json) printJson({ jobId: spec.jobId, session: name });
    else out(spec.jobId);
    return 0;
  }
  const record = await waitForSessionJob(client, ctx.config, name, spec.jobId);
  const result = record.result;
  if (opts.json)
    printJson(result ? { ...result, session: name } : { jobId: spec.jobId, session: name, status: record.status });
  else if (result) {
    printResult(result);
    if (result.freshSession) out('  note: the agent session could not be resumed; this job ran in a fresh session');
  } else process.stderr.write(`${spec.jobId}: ${record.status} (the session closed before its turn)\n`);
  return result?.status === 'succeeded' || result?.status === 'no_op' ? 0 : 1;
}
