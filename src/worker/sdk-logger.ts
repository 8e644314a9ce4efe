// The Temporal SDK's logs, quiet for people: warnings and errors only, an expected agent failure as one line,
// task tokens never. `NIGHTSHIFT_LOG_LEVEL=debug` passes everything through.
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry, type LogMetadata } from '@temporalio/worker';
import { FailureClass } from '../protocol/failures.js';
import { logger } from '../support/logger.js';

/** Failures nightshift classifies and handles (retry, failover, a failed job): routine, not alarming. */
const EXPECTED = new Set<string>([
  ...Object.values(FailureClass),
  // A webhook's failed delivery attempt: retried by its notify workflow, never a job's failure.
  'WebhookFailed',
  'WebhookRejected',
  'WebhookGone',
]);

function forward(entry: LogEntry, verbose: boolean): void {
  const log = logger('temporal'); // at log time: the destination may be set after this module loads
  const {
    taskToken: _token,
    error,
    ...meta
  } = (entry.meta ?? {}) as LogMetadata & { taskToken?: unknown; error?: unknown };
  const expected = error instanceof ApplicationFailure && EXPECTED.has(error.type ?? '');
  if (!verbose && (entry.level === 'TRACE' || entry.level === 'DEBUG' || entry.level === 'INFO')) return;
  const fields = {
    ...pick(meta),
    ...(error instanceof Error ? { error: `${errorType(error)}: ${error.message}` } : {}),
  };
  if (expected) log.info(fields, `${entry.message} (${errorType(error)}, handled)`);
  else if (entry.level === 'ERROR') log.error(fields, entry.message);
  else if (entry.level === 'WARN') log.warn(fields, entry.message);
  else log.debug(fields, entry.message);
}

const errorType = (e: Error): string => (e instanceof ApplicationFailure ? (e.type ?? e.name) : e.name);

/** The fields a person can act on: which workflow and activity, which attempt. */
function pick(meta: Record<string, unknown>): Record<string, unknown> {
  const keys = ['workflowId', 'workflowType', 'activityType', 'attempt', 'taskQueue', 'durationMs'];
  return Object.fromEntries(keys.filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]]));
}

let installed = false;

/**
 * Once per process, before any worker or native connection exists. `metricsBindAddress` (config
 * `metrics.workerBindAddress`) also serves the SDK's own worker metrics there, as Prometheus text.
 */
export function installSdkLogger(
  metricsBindAddress?: string,
  level = process.env['NIGHTSHIFT_LOG_LEVEL'] ?? 'info',
): void {
  if (installed) return;
  installed = true;
  const verbose = level === 'debug' || level === 'trace';
  Runtime.install({
    logger: new DefaultLogger(verbose ? 'TRACE' : 'WARN', (entry) => forward(entry, verbose)),
    ...(metricsBindAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBindAddress } } } }
      : {}),
  });
}
