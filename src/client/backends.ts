// Client-side operations on backend marks held by the capacity singleton (auth-broken, rate-limited).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { BACKENDS } from '../agents/registry.js';
import type { Config } from '../config/schema.js';
import type { CapacityView } from '../protocol/capacity.js';
import { capacityWorkflowId } from '../protocol/ids.js';
import { backendClearedSignal } from '../protocol/signals.js';
import { UsageError } from '../support/usage-error.js';

/** A backend name an operator typed: known, or a usage error naming where it came from. */
export function knownBackend(source: string, name: string): string {
  if (BACKENDS[name]) return name;
  throw new UsageError(`${source}: unknown backend "${name}" (known: ${Object.keys(BACKENDS).join(', ')})`);
}

/** What `backends check` probes by default: every configured backend, the default one, and every marked one. */
export function defaultProbeSet(config: Config, view: CapacityView): string[] {
  const names = [...Object.keys(config.backends), config.defaultBackend, ...Object.keys(view.authBroken)];
  return [...new Set(names)].filter((b) => BACKENDS[b] !== undefined).sort();
}

/** Clears the backend's auth-broken and rate-limit marks; false when the singleton has never run. */
export async function clearBackendMark(
  client: Client,
  config: Config,
  backend: string,
  by: 'operator' | 'probe',
): Promise<boolean> {
  try {
    await client.workflow.getHandle(capacityWorkflowId(config.temporal.taskQueue)).signal(backendClearedSignal, {
      backend,
      by,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
