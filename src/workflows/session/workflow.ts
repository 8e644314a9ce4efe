// A warm session: one long-lived workflow per name runs its jobs one at a time as child job workflows,
// each resuming the agent session of the one before, in one stable workspace.
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { JobSpec } from '../../protocol/job.js';
import { runChildJob } from '../job/child.js';
import {
  book,
  drop,
  enqueue,
  isResumeFailure,
  newSessionState,
  pinned,
  recordOf,
  viewOf,
  type QueuedJob,
  type SessionInput,
  type SessionState,
} from './state.js';
import { sessionCloseSignal, sessionJobQuery, sessionSubmitSignal, sessionViewQuery } from '../../protocol/signals.js';
import type { SessionJobRecord, SessionSettings, SessionView } from '../../protocol/session.js';

export async function sessionWorkflow(input: SessionInput): Promise<SessionView> {
  const state = input.state ?? newSessionState(input.name, Date.now());
  setHandler(sessionSubmitSignal, (spec) => enqueue(state, spec, Date.now()));
  setHandler(sessionCloseSignal, () => void (state.closing = true));
  setHandler(sessionViewQuery, () => viewOf(state));
  setHandler(sessionJobQuery, (jobId) => recordOf(state, jobId));
  const idleMs = input.settings.idleMinutes * 60_000;
  const ready = (): boolean => state.queue.length > 0 || state.closing;
  for (;;) {
    await condition(ready, Math.max(1, state.lastUsedAt + idleMs - Date.now()));
    const next = state.closing ? undefined : state.queue.shift();
    if (!next) {
      // Idle or closed: end once every delivered signal is handled (a late submit keeps an idle session open).
      await condition(allHandlersFinished);
      if (!state.closing && state.queue.length > 0) continue;
      for (const q of state.queue.splice(0)) drop(state, q);
      return viewOf(state);
    }
    await runJob(state, next);
    if (!state.closing && shouldRoll(input.settings)) {
      await condition(allHandlersFinished);
      state.runs++;
      // The queue, the agent session id and the totals travel with the state.
      await continueAsNew<typeof sessionWorkflow>({ ...input, state });
    }
  }
}

async function runJob(state: SessionState, next: QueuedJob): Promise<void> {
  const spec = pinned(state, next.spec);
  const record: SessionJobRecord = { jobId: spec.jobId, status: 'running', submittedAt: next.submittedAt };
  if (spec.resumeSessionId) record.resumedSessionId = spec.resumeSessionId;
  state.running = record;
  let result = await runChildJob(spec);
  if (result.freshSessionReason) {
    // The session's host was lost: the job ran on another host, in a fresh agent session.
    record.freshSession = true;
    record.resumeFailure = result.freshSessionReason;
  }
  if (isResumeFailure(spec, result)) {
    // The agent's session is gone (expired, deleted): the same job once more, in a fresh agent session,
    // as its own child (`<jobId>-fresh`: a job id is leased once).
    delete state.agentSessionId;
    const fresh: JobSpec = { ...spec, jobId: `${spec.jobId}-fresh` };
    delete fresh.resumeSessionId;
    record.freshSession = true;
    record.resumeFailure = result.failureMessage ?? result.failureClass ?? 'resume failed';
    result = { ...(await runChildJob(fresh)), freshSession: true };
  }
  delete state.running;
  book(state, record, result, Date.now());
}

function shouldRoll(settings: SessionSettings): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= settings.continueAsNewEvents;
}
