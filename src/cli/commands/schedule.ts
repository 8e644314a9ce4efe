// `nightshift schedule add|list|pause|resume|trigger|delete`: nightly jobs on Temporal Schedules.
import { resolveJobSpec } from '../../client/job-input.js';
import {
  addSchedule,
  checkScheduleName,
  controlSchedule,
  listSchedules,
  type ScheduleListing,
} from '../../client/schedules.js';
import { UsageError } from '../../support/usage-error.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';
import { jobInputFromArgv } from './submit.js';

const USAGE =
  'schedule: try add <name> --cron "0 2 * * *" -- <submit args>, list, pause <name>, resume <name>, trigger <name>, delete <name>';

export async function schedule(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest, ctx);
  if (sub === 'list') return list(rest, ctx);
  if (sub === 'pause' || sub === 'resume' || sub === 'trigger' || sub === 'delete') return control(sub, rest, ctx);
  throw new UsageError(`${USAGE} (got "${sub ?? ''}")`);
}

async function add(argv: string[], ctx: CliContext): Promise<number> {
  const dash = argv.indexOf('--');
  if (dash < 0)
    throw new UsageError(
      'schedule add: the job goes after `--`, as `submit` takes it (e.g. -- "tidy the changelog" --backend claude)',
    );
  const { values: v, positionals } = parse(argv.slice(0, dash), {
    cron: { type: 'string' },
    timezone: { type: 'string' },
  });
  const name = checkScheduleName(positionals[0]);
  if (!v.cron?.trim()) throw new UsageError('--cron: missing (e.g. --cron "0 2 * * *")');
  const { raw, v: flags } = jobInputFromArgv(argv.slice(dash + 1));
  for (const flag of ['id', 'session', 'wait'] as const) {
    if (flags[flag] !== undefined)
      throw new UsageError(`--${flag}: not allowed in a scheduled job (each run gets its own job id)`);
  }
  const spec = resolveJobSpec(raw, ctx.config); // validated now, not at 2 a.m.
  const id = await addSchedule(await ctx.client(), ctx.config, {
    name,
    cron: v.cron.trim(),
    ...(v.timezone ? { timezone: v.timezone } : {}),
    spec,
  });
  if (v.json) printJson({ name, scheduleId: id });
  else
    process.stdout.write(
      `schedule ${name} added (${id}): ${v.cron.trim()}${v.timezone ? ` ${v.timezone}` : ' UTC'}, ${spec.lane} lane, backend ${spec.backend}\n`,
    );
  return 0;
}

async function list(argv: string[], ctx: CliContext): Promise<number> {
  const { values: v } = parse(argv, {});
  const all = await listSchedules(await ctx.client(), ctx.config);
  if (v.json) printJson(all);
  else if (all.length === 0) process.stdout.write('no schedules\n');
  else for (const s of all) process.stdout.write(line(s));
  return 0;
}

function line(s: ScheduleListing): string {
  const last = s.recentRuns.at(-1);
  return (
    [
      `${s.name}  ${s.paused ? 'PAUSED' : 'active'}  "${s.cron}" ${s.timezone}  ${s.lane} lane, ${s.backend}`,
      `  next ${s.nextRuns[0] ?? '-'}  last ${last ? `${last.scheduledAt} (${last.jobId ?? `run ${last.workflowId}`})` : '-'}${s.note && s.paused ? `  note: ${s.note}` : ''}`,
      `  ${s.prompt}`,
    ].join('\n') + '\n'
  );
}

async function control(
  op: 'pause' | 'resume' | 'trigger' | 'delete',
  argv: string[],
  ctx: CliContext,
): Promise<number> {
  const { values: v, positionals } = parse(argv, { note: { type: 'string' } });
  const name = checkScheduleName(positionals[0]);
  await controlSchedule(await ctx.client(), ctx.config, name, op === 'resume' ? 'unpause' : op, v.note);
  const done = {
    pause: 'paused',
    resume: 'resumed',
    trigger: 'triggered (runs now unless a run is still going)',
    delete: 'deleted',
  }[op];
  if (v.json) printJson({ name, op });
  else process.stdout.write(`schedule ${name} ${done}\n`);
  return 0;
}
