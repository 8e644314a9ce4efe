// One HTTP POST to one webhook, with a timeout. A non-2xx answer or a network error throws (the activity retries);
// a 4xx that no retry can fix is final. Messages name the target, never its URL or headers.
import type { Webhook } from '../config/operator-schema.js';
import type { Notification } from '../protocol/notify.js';
import { bodyOf } from './format.js';

/** Answers a later attempt may change: timeouts, too early, too many requests (everything else 4xx is final). */
const RETRYABLE_4XX = [408, 425, 429];

/** `final`: the receiver refused it in a way another attempt will not change. */
export class WebhookError extends Error {
  constructor(
    message: string,
    readonly final = false,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export async function postNotification(w: Webhook, n: Notification, timeoutSeconds: number, name: string) {
  let res: Response;
  try {
    res = await fetch(w.url, {
      method: 'POST',
      headers: {
        ...w.headers,
        'content-type': 'application/json',
        'idempotency-key': n.id,
        'user-agent': 'nightshift-notify',
      },
      body: JSON.stringify(bodyOf(n, w.format)),
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
      redirect: 'error', // a redirect would carry the headers elsewhere
    });
  } catch (err) {
    throw new WebhookError(`webhook ${name}: ${networkReason(err, timeoutSeconds)}`);
  }
  await res.body?.cancel().catch(() => undefined); // the answer's body is not read: free the connection
  if (res.ok) return;
  const final = res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.includes(res.status);
  throw new WebhookError(`webhook ${name} answered HTTP ${res.status}`, final);
}

/** fetch's own message is "fetch failed"; its cause (ECONNREFUSED, bad port, …) is what a person can act on. */
function networkReason(err: unknown, timeoutSeconds: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer within ${timeoutSeconds} s`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  // Causes name a host and port at most; a URL (its path may be the secret) is cut out all the same.
  return why ? `unreachable (${why.replace(/\S+:\/\/\S+/g, '<url>').slice(0, 200)})` : 'unreachable';
}
