// A worker host reports itself to the shared ledger every few seconds: `nightshift workers` reads it.
import type { HostRuntime } from '../activities/deps.js';
import type { LedgerHandle } from '../ledger/handle.js';
import { logger } from '../support/logger.js';
import { version } from '../support/version.js';

const BEAT_MS = 5000;

/** Starts beating at once; the returned stop ends the loop (the worker closes its ledger). Never throws: a fleet view is not a job. */
export function startHostBeat(host: HostRuntime, ledgers: LedgerHandle): () => Promise<void> {
  const log = logger('host-beat');
  const startedAt = Date.now();
  let failingSince: number | undefined;
  let warned = false;
  let stopped = false;
  const beat = async (): Promise<void> => {
    try {
      const ledger = await ledgers.get();
      await ledger.upsertHost({
        hostId: host.hostId,
        version: version(),
        maxAgents: host.slots.max,
        runningAgents: host.slots.running,
        waitingAgents: host.slots.waiting,
        startedAt,
        seenAt: Date.now(),
      });
      failingSince = undefined;
      warned = false;
    } catch (err) {
      // A ledger slow to start is not news; one that stays away for three beats is (said once per outage).
      failingSince ??= Date.now();
      if (warned || Date.now() - failingSince < 3 * BEAT_MS) return;
      log.warn({ error: String(err) }, 'host not reported to the ledger (retrying)');
      warned = true;
    }
  };
  let running = beat();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(beat);
  }, BEAT_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
