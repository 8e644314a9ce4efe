// `nightshift list`: recent jobs on this deployment's queue, newest first, as a table a person can scan.
import { JOB_STATUSES, listJobs, type JobRow } from '../../client/list-jobs.js';
import { UsageError } from '../../support/usage-error.js';
import { intFlag, parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

type Row = JobRow;

const COLUMNS: [keyof Row | 'age' | 'duration', string][] = [
  ['jobId', 'JOB'],
  ['status', 'STATUS'],
  ['backend', 'BACKEND'],
  ['kind', 'KIND'],
  ['lane', 'LANE'],
  ['age', 'AGE'],
  ['duration', 'DURATION'],
  ['prompt', 'PROMPT'],
];

/** 42s, 7m, 3h, 2d: short and readable. */
export function shortDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

export async function list(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, { status: { type: 'string' }, limit: { type: 'string' } });
  const limit = intFlag('limit', values.limit) ?? 20;
  if (limit < 1) throw new UsageError(`--limit: expected a whole number of at least 1, got "${values.limit}"`);
  if (values.status && !(JOB_STATUSES as readonly string[]).includes(values.status))
    throw new UsageError(`--status: unknown status "${values.status}" (one of: ${JOB_STATUSES.join(', ')})`);
  const client = await ctx.client();
  const { rows, more } = await listJobs(client, ctx.config, {
    ...(values.status ? { status: values.status } : {}),
    limit,
  });
  if (values.json) printJson(rows);
  else printTable(rows, more ? limit : undefined);
  return 0;
}

function printTable(rows: Row[], cut: number | undefined): void {
  if (rows.length === 0) return void process.stdout.write('no jobs\n');
  const cell = (r: Row, c: (typeof COLUMNS)[number][0]): string => {
    if (c === 'age') return `${shortDuration((Date.now() - Date.parse(r.startTime)) / 1000)} ago`;
    if (c === 'duration') return shortDuration(r.durationSeconds);
    if (c === 'prompt') return (r.prompt ?? '').length > 50 ? `${(r.prompt ?? '').slice(0, 47)}...` : (r.prompt ?? '');
    return String(r[c]);
  };
  const table = [COLUMNS.map(([, h]) => h), ...rows.map((r) => COLUMNS.map(([c]) => cell(r, c)))];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  for (const line of table)
    process.stdout.write(
      line
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd() + '\n',
    );
  if (cut) process.stdout.write(`… more jobs; --limit ${cut * 2} shows more\n`);
}
