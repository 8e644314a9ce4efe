import type { JobProgress, JobResult } from '../protocol/result.js';
import type { LandingRow } from '../ledger/db.js';
import type { BudgetView, CapacityView } from '../protocol/capacity.js';

const out = (line = ''): boolean => process.stdout.write(line + '\n');

export function printResult(r: JobResult, answerOnly = false): void {
  if (answerOnly && r.status === 'succeeded') {
    out(r.finalText);
    return;
  }
  out(`${r.jobId}  ${r.status}${r.failureClass ? ` (${r.failureClass}: ${r.failureMessage ?? ''})` : ''}`);
  out(`  backend ${r.backend}  kind ${r.kind}  lane ${r.lane}  attempts ${r.attempts}`);
  printResultBody(r);
}

/** A result's figures, under a header printed by the caller. */
function printResultBody(r: JobResult): void {
  out(`  duration ${(r.durationMs / 1000).toFixed(1)}s  lease wait ${(r.leaseWaitMs / 1000).toFixed(1)}s`);
  out(
    `  tokens in ${r.tokens.input} out ${r.tokens.output} cached ${r.tokens.cacheRead}${r.costUsd !== undefined ? `  cost $${r.costUsd.toFixed(4)}` : ''}`,
  );
  if (r.sessionId) out(`  session ${r.sessionId}`);
  if (r.workspace)
    out(`  workspace ${r.workspace}${r.branch ? ` (branch ${r.branch})` : ''}${r.host ? ` on ${r.host}` : ''}`);
  if (r.setup)
    out(
      `  setup: ${r.setup.command.join(' ')} — exit ${r.setup.exitCode} in ${(r.setup.durationMs / 1000).toFixed(1)}s`,
    );
  for (const m of r.moves ?? [])
    out(`  moved    ${m.from} → ${m.to ?? '?'} at ${m.step}: ${m.reason} (${new Date(m.at).toISOString()})`);
  if (r.freshSessionReason) out(`  fresh agent session: ${r.freshSessionReason}`);
  if (r.pushed) out(`  pushed   ${r.pushed.branch} @ ${r.pushed.commit.slice(0, 12)} → ${r.pushed.origin}`);
  if (r.filesChanged.length) out(`  files changed: ${r.filesChanged.join(', ')}`);
  if (r.commit) {
    const c = r.commit;
    const removed = r.worktreeRemoved ? '; worktree removed' : '';
    out(
      `  commit   ${c.sha.slice(0, 12)} on ${c.branch} (${c.files} files, +${c.insertions} -${c.deletions})${removed}`,
    );
  }
  if (r.commitError) out(`  not committed: ${r.commitError}`);
  if (r.landQueue) out(`  land     ${r.landQueue.startsWith('not queued') ? r.landQueue : `queued on ${r.landQueue}`}`);
  if (r.check)
    out(`  check ${r.check.command.join(' ')} → exit ${r.check.exitCode} (${r.check.passed ? 'passed' : 'failed'})`);
  printConfinement(r);
  if (r.finalText) out(`\n${r.finalText}`);
}

/** How the job was confined, and every write outside its workspace that it tried (refused) or made (unconfined). */
function printConfinement(r: JobResult): void {
  if (r.sandbox) out(`  sandbox  ${r.sandbox === 'off' ? 'off (unconfined)' : 'bwrap'}`);
  if (r.refusedWrites?.length) out(`  refused writes outside the workspace: ${r.refusedWrites.join(', ')}`);
  if (r.outsideWrites?.length) out(`  WROTE OUTSIDE the workspace (source checkout): ${r.outsideWrites.join(', ')}`);
  // The agent rewrote git metadata the engine recorded: nothing of its work was committed.
  if (r.tampered?.length) out(`  TAMPERED git metadata (not committed): ${r.tampered.join(', ')}`);
  if (r.usageRejected?.length) out(`  ${r.usageRejected.join('; ')}`);
}

/** The agent's heartbeat, in words: "attempt 1: 3 turns, 5 tool calls, tokens in 1200 out 300". */
export function liveInWords(live: unknown): string | undefined {
  if (typeof live !== 'object' || live === null) return undefined;
  const hold = budgetHoldInWords(live);
  if (hold) return `waiting ${hold}`;
  const l = live as {
    attempt?: number;
    turns?: number;
    toolCalls?: number;
    tokens?: { input?: number; output?: number };
  };
  const tokens = l.tokens ? `, tokens in ${l.tokens.input ?? 0} out ${l.tokens.output ?? 0}` : '';
  return `attempt ${l.attempt ?? 1}: ${l.turns ?? 0} turns, ${l.toolCalls ?? 0} tool calls${tokens}`;
}

/** A queued job a spent budget holds (see client/job-live.ts): "for budget all/day ($41.20 of $40.00); …". */
function budgetHoldInWords(live: unknown): string | undefined {
  if (typeof live !== 'object' || live === null) return undefined;
  const hold = live as { heldBy?: string; budgets?: BudgetView[] };
  if (hold.heldBy !== 'budget') return undefined;
  const spent = (hold.budgets ?? []).map((b) => `${b.scope}/${b.per} (${usd(b.spentUsd)} of ${usd(b.usd)})`);
  return `for budget ${spent.join(', ') || '(spent)'}; granted when its window moves`;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** One block: what the job is, where it stands, what its agent is doing, and its result once it has one. */
export function printProgress(p: JobProgress, live: unknown, prompt?: string): void {
  const r = p.result;
  const failure = r?.failureClass ? ` (${r.failureClass}: ${r.failureMessage ?? ''})` : '';
  out(`${p.jobId}  ${p.status}${r ? failure : `  step ${p.step}`}`);
  const first = prompt?.split('\n')[0] ?? '';
  if (prompt)
    out(`  prompt   ${first.length > 100 ? `${first.slice(0, 97)}...` : first}${first !== prompt ? ' …' : ''}`);
  out(`  backend ${p.backend}  kind ${p.kind}  lane ${p.lane}${r ? `  attempts ${r.attempts}` : ''}`);
  if (p.host && !r) out(`  host     ${p.host}`);
  const wait = p.leaseGrantedAt ? `, lease after ${((p.leaseGrantedAt - p.queuedAt) / 1000).toFixed(1)}s` : '';
  out(`  queued ${new Date(p.queuedAt).toISOString()}${wait}`);
  const hold = budgetHoldInWords(live);
  const words = liveInWords(live);
  if (hold && !r) out(`  waiting  ${hold}`);
  else if (words && !r) out(`  agent    ${words}`);
  if (r) printResultBody(r);
}

export function printCapacity(c: CapacityView, perHost: Record<string, number> = {}): void {
  out(
    `slots ${c.slots.used}/${c.slots.max} used (${c.slots.reservedOperator} reserved for the operator lane, ${c.slots.sharedFree} free for others)`,
  );
  for (const [lane, v] of Object.entries(c.lanes)) {
    out(
      `  ${lane.padEnd(12)} running ${String(v.running).padStart(3)}  queued ${String(v.queued).padStart(3)}  deferred ${String(v.deferred).padStart(3)}`,
    );
  }
  const pct = ((100 * c.tokens.inWindow) / c.tokens.budget).toFixed(1);
  out(
    `tokens ${c.tokens.inWindow}/${c.tokens.budget} in the last ${c.tokens.windowSeconds}s (${pct}%, ${c.tokens.reservedByRunning} reserved by running jobs)`,
  );
  out(`backpressure ${c.backpressure.on ? `ON: ${c.backpressure.reasons.join('; ')}` : 'off'}`);
  printBudgets(c);
  const hosts = Object.entries(perHost).sort(([a], [b]) => a.localeCompare(b));
  if (hosts.length) out(`running per host: ${hosts.map(([h, n]) => `${h} ${n}`).join(', ')}`);
  printBackendMarks(c);
}

/** Each budget's spend in its window (`budget all/day $12.34 of $40.00 (31%)`, HELD when spent) and who waits. */
function printBudgets(c: CapacityView): void {
  for (const b of c.budgets ?? []) {
    const pct = Math.round((100 * b.spentUsd) / b.usd);
    out(`budget ${b.scope}/${b.per} ${usd(b.spentUsd)} of ${usd(b.usd)} (${pct}%)${b.spent ? ' HELD' : ''}`);
  }
  const held = c.queue.filter((q) => q.heldBy === 'budget').map((q) => q.jobId);
  if (held.length) out(`held by a spent budget: ${held.join(', ')} (granted when its window moves)`);
  const brains = c.queue.filter((q) => q.heldBy === 'brain-slots').map((q) => q.jobId);
  if (brains.length) out(`brains waiting for a brain slot (mcp.brainSlots): ${brains.join(', ')}`);
}

/** Limited and auth-broken backends; jobs whose every backend is auth-broken wait for `backends check|clear`. */
function printBackendMarks(c: CapacityView): void {
  for (const [backend, until] of Object.entries(c.limitedBackends))
    out(`backend ${backend} limited until ${new Date(until).toISOString()}`);
  // A view from a singleton older than auth-broken marks has none.
  for (const [backend, m] of Object.entries(c.authBroken ?? {}))
    out(`backend ${backend} AUTH-BROKEN since ${new Date(m.since).toISOString()}: ${m.message.split('\n')[0] ?? ''}`);
  const waiting = c.queue.filter((q) => q.waitingForAuth).map((q) => q.jobId);
  if (waiting.length) out(`waiting for an auth-broken backend: ${waiting.join(', ')} (nightshift backends check)`);
}

/** `landed on main @ 1a2b3c4d5e6f` or `conflict on main: conflicts: a.txt`. */
export function printLanding(l: LandingRow): void {
  const commit = l.commit ? ` @ ${l.commit.slice(0, 12)}` : '';
  const detail = l.detail ? `: ${l.detail.split('\n').slice(0, 3).join(' | ')}` : '';
  out(`  landing  ${l.status} on ${l.target}${commit}${l.status === 'landed' ? '' : detail}`);
}
