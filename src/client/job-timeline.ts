// A job's Temporal history as a readable timeline: `nightshift history` and the HTTP API's job page.
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import type { WorkflowHandle } from '@temporalio/client';
import { ACTIVITY } from '../protocol/activities.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import {
  backendAuthBrokenSignal,
  backendLimitedSignal,
  leaseGrantedSignal,
  releaseLeaseSignal,
} from '../protocol/signals.js';

type Event = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
export interface TimelineEntry {
  at: string;
  offsetSeconds: number;
  what: string;
  /** On the lease line: seconds from queued to granted. */
  waitSeconds?: number;
}

const decode = (payloads: { payloads?: Payload[] | null } | null | undefined): unknown =>
  payloads?.payloads?.[0] ? defaultPayloadConverter.fromPayload(payloads.payloads[0]) : undefined;
type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/** One line per meaningful event; activities are named by what they did, failures by their class. */
export function timeline(events: Event[]): TimelineEntry[] {
  const scheduled = new Map<string, { type: string; input: Obj; queue: string }>();
  const start = optionalTsToMs(events[0]?.eventTime) ?? 0;
  const out: TimelineEntry[] = [];
  const add = (e: Event, what: string): void => {
    const ms = optionalTsToMs(e.eventTime) ?? start;
    out.push({ at: new Date(ms).toISOString(), offsetSeconds: Math.round((ms - start) / 100) / 10, what });
  };
  for (const e of events) {
    const id = String(e.eventId ?? '');
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      add(e, startedLine(a.workflowType?.name ?? '', o(decode(a.input))));
    } else if (e.workflowExecutionCancelRequestedEventAttributes) {
      add(
        e,
        `cancel requested${e.workflowExecutionCancelRequestedEventAttributes.cause ? `: ${e.workflowExecutionCancelRequestedEventAttributes.cause}` : ''}`,
      );
    } else if (e.workflowExecutionSignaledEventAttributes?.signalName === leaseGrantedSignal.name) {
      const wait = Math.round(((optionalTsToMs(e.eventTime) ?? start) - start) / 100) / 10;
      add(e, `lease granted after ${wait.toFixed(1)}s waiting`);
      out[out.length - 1]!.waitSeconds = wait;
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      scheduled.set(id, {
        type: a.activityType?.name ?? '?',
        input: o(decode(a.input)),
        queue: a.taskQueue?.name ?? '',
      });
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const f = a.lastFailure;
      const s = scheduled.get(String(a.scheduledEventId ?? ''));
      if (f && s)
        add(
          e,
          `${s.type} attempt ${(a.attempt ?? 2) - 1} failed: ${f.applicationFailureInfo?.type ?? 'error'} — ${f.message ?? ''}; attempt ${a.attempt ?? '?'} starts`,
        );
    } else if (e.activityTaskCompletedEventAttributes) {
      const s = scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId ?? ''));
      if (s) add(e, describeCompleted(s.type, s.input, decode(e.activityTaskCompletedEventAttributes.result)));
    } else if (e.activityTaskFailedEventAttributes) {
      const s = scheduled.get(String(e.activityTaskFailedEventAttributes.scheduledEventId ?? ''));
      const f = e.activityTaskFailedEventAttributes.failure;
      add(e, `${s?.type ?? 'activity'} failed: ${f?.applicationFailureInfo?.type ?? 'error'} — ${f?.message ?? ''}`);
    } else if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      const s = scheduled.get(String(a.scheduledEventId ?? ''));
      add(e, timedOutLine(s, Number(a.failure?.timeoutFailureInfo?.timeoutType ?? 0)));
    } else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      add(e, localActivityLine(e.markerRecordedEventAttributes));
    } else if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) {
      const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (a.signalName === releaseLeaseSignal.name) add(e, 'lease released');
      if (a.signalName === backendLimitedSignal.name)
        add(e, `backend limited: ${String(o(decode(a.input))['backend'] ?? '')}`);
      if (a.signalName === backendAuthBrokenSignal.name)
        add(e, `backend auth-broken: ${String(o(decode(a.input))['backend'] ?? '')}`);
    } else if (e.workflowExecutionCompletedEventAttributes)
      add(
        e,
        `finished: ${String(o(decode(e.workflowExecutionCompletedEventAttributes.result))['status'] ?? 'completed')}`,
      );
    else if (e.workflowExecutionFailedEventAttributes)
      add(e, `failed: ${e.workflowExecutionFailedEventAttributes.failure?.message ?? ''}`);
    else if (e.workflowExecutionCanceledEventAttributes) add(e, 'cancelled');
    else if (e.workflowExecutionTerminatedEventAttributes)
      add(e, `terminated: ${e.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
  }
  return out;
}

// A local activity leaves one marker (the SDK's name for it) with its type and its result or failure.
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';
type Marker = NonNullable<Event['markerRecordedEventAttributes']>;

/** A lean job's lease, release, ledger record and scratch workspace, as their activities would read. */
function localActivityLine(m: Marker): string {
  const type = String(o(decode(m.details?.['data']))['activity_type'] ?? 'local activity');
  const f = m.failure;
  if (f) return `${type} failed: ${f.applicationFailureInfo?.type ?? 'error'} — ${f.message ?? ''}`;
  if (type === ACTIVITY.releaseLease) return 'lease released';
  return describeCompleted(type, {}, decode(m.details?.['result']));
}

// temporal.api.enums.v1.TimeoutType, as histories carry it.
const TIMEOUTS: Record<number, string> = {
  1: 'ran past its start-to-close timeout',
  2: 'no worker of the host polled its queue',
  3: 'ran past its schedule-to-close timeout',
  4: 'stopped heartbeating',
};

/** A timeout on a host's own queue means the host was lost: the job prepares again elsewhere. */
function timedOutLine(s: { type: string; queue: string } | undefined, timeoutType: number): string {
  const host = s?.queue.includes('@') ? s.queue.slice(s.queue.indexOf('@') + 1) : undefined;
  const what = TIMEOUTS[timeoutType] ?? 'timed out';
  if (!host) return `${s?.type ?? 'activity'} ${what}`;
  return `${s?.type ?? 'activity'} on host ${host}: ${what} — host lost; the job prepares its workspace on another host`;
}

/** The end of the job's worktree: `committed 1a2b… on nightshift/job-1 (3 files, +10 -2); worktree removed`. */
function finishLine(r: Obj): string {
  const c = o(r['commit']);
  const removed = r['removed'] ? '; worktree removed' : '; worktree kept';
  const pushed = r['pushed'] ? `; pushed to ${String(o(r['pushed'])['origin'] ?? '')}` : '';
  if (!r['commit']) return `nothing to commit${removed}`;
  const stat = `${String(c['files'] ?? 0)} files, +${String(c['insertions'] ?? 0)} -${String(c['deletions'] ?? 0)}`;
  return `committed ${String(c['sha'] ?? '').slice(0, 12)} on ${String(c['branch'] ?? '')} (${stat})${removed}${pushed}`;
}

function describeCompleted(type: string, input: Obj, value: unknown): string {
  const r = o(value);
  const tokens = o(r['tokens']);
  switch (type) {
    case ACTIVITY.prepareWorkspace:
      return `workspace ${String(r['path'] ?? '')}${r['branch'] ? ` (branch ${String(r['branch'])})` : ''}${r['host'] ? ` on host ${String(r['host'])}` : ''}`;
    case ACTIVITY.publishBranch:
      return value
        ? `pushed ${String(r['branch'] ?? '')} @ ${String(r['commit'] ?? '').slice(0, 12)} to ${String(r['origin'] ?? '')}`
        : 'nothing to push';
    case ACTIVITY.runAgent:
      return `agent ${String(r['backend'] ?? '')} [${String(input['label'] ?? 'agent')}] attempt ${String(r['attempt'] ?? 1)}: ${((Number(r['durationMs']) || 0) / 1000).toFixed(1)}s, tokens in ${String(tokens['input'] ?? 0)} out ${String(tokens['output'] ?? 0)}`;
    case ACTIVITY.runCheck:
      return `check ${((r['command'] as string[] | undefined) ?? []).join(' ')} → exit ${String(r['exitCode'] ?? '?')}`;
    case ACTIVITY.parseVerdict:
      return `review round ${String(r['round'] ?? '?')} by ${String(r['backend'] ?? '')}: ${String(r['verdict'] ?? '')}`;
    case ACTIVITY.recordJob:
      return 'recorded in the ledger (for stats)';
    case ACTIVITY.requestLease:
      return 'asked the capacity workflow for a lease';
    case ACTIVITY.changedFiles:
      return `changed files: ${Array.isArray(value) && value.length ? value.join(', ') : 'none'}`;
    case ACTIVITY.prepareReview:
      return `review ${String(input['round'] ?? '')} prepared: the diff goes to the reviewer`;
    case ACTIVITY.commitBranch:
      return `committed ${String(value).slice(0, 12)}`;
    case ACTIVITY.finishWorkspace:
      return finishLine(r);
    case ACTIVITY.enqueueLanding:
      return `queued to land (${String(value)})`;
    default:
      return `${type} done`;
  }
}

/** The first line: what started, in the words `submit`, `chain` and `compare` use. */
function startedLine(type: string, spec: Obj): string {
  if (type === WORKFLOW.job) {
    const route = o(spec['route'])['reason']; // `--backend auto`: why this backend
    const line = `queued: ${String(spec['kind'] ?? '')} job on ${String(spec['backend'] ?? '')}, lane ${String(spec['lane'] ?? '')}`;
    return typeof route === 'string' ? `${line} (${route})` : line;
  }
  if (type === WORKFLOW.chain) return `chain "${String(spec['name'] ?? '')}" started`;
  if (type === WORKFLOW.compare) return `compare started: ${String(spec['prompt'] ?? '').split('\n')[0]}`;
  return `${type} started`;
}
