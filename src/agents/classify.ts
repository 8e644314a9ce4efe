import { FailureClass } from '../protocol/failures.js';
import type { ExitInfo, ParsedRun, Verdict } from './contract.js';
import { parseResetTime } from './reset-time.js';

const AUTH_TEXT =
  /invalid api key|authentication_error|unauthori[sz]ed|not logged in|please run \/login|permission_error/i;
const QUOTA_TEXT = /quota exceeded|insufficient_quota|credit balance is too low|billing/i;
const RATE_TEXT = /rate[_ ]limit|too many requests|\b429\b|usage limit|hit your limit/i;
// claude: "No conversation found with session ID: …"; others: a session/thread/conversation not found or expired.
const SESSION_GONE_TEXT =
  /no conversation found|--resume requires a valid session|no previous sessions found|(session|thread|conversation)[^\n]{0,80}(not found|does not exist|expired)/i;
/** The egress proxy's own 403 body (egress-proxy.ts), as a CLI passes it on: checked before any 403 means auth. */
const EGRESS_DENIED_TEXT = /nightshift egress: (\S+) is not allowed/;
const BAD_REQUEST_TEXT = /invalid_request_error|\b400\b|prompt is too long|model .* not found/i;

/** Shared classification of a failed run: HTTP status first, then the CLI's error text. */
export function classifyFailure(label: string, run: ParsedRun, exit: ExitInfo): Verdict {
  const text = [run.errorText, run.finalText, exit.stderrTail].filter(Boolean).join('\n');
  const status = run.errorStatus;
  const resetAt = run.rateLimitResetAt ?? parseResetTime(text, exit.now);
  if (SESSION_GONE_TEXT.test(text)) {
    return { ok: false, type: FailureClass.SessionNotFound, message: firstLine(text, 'agent session not found') };
  }
  const egress = EGRESS_DENIED_TEXT.exec(text);
  if (egress) {
    const message = `the egress proxy refused ${egress[1]}: list it in sandbox.allowHosts or set backends.${label}.baseUrl`;
    return { ok: false, type: FailureClass.EgressDenied, message };
  }
  if (status === 401 || status === 403 || (!status && AUTH_TEXT.test(text))) {
    return { ok: false, type: FailureClass.AuthFailed, message: firstLine(text, 'authentication failed') };
  }
  if (QUOTA_TEXT.test(text) && status !== 429) {
    return { ok: false, type: FailureClass.QuotaExhausted, message: firstLine(text, 'quota exhausted') };
  }
  if (status === 429 || (!status && RATE_TEXT.test(text)) || run.rateLimitResetAt) {
    const message = firstLine(text, 'rate limited');
    return { ok: false, type: FailureClass.RateLimited, message, ...(resetAt ? { resetAt } : {}) };
  }
  if (status === 400 || status === 404 || status === 413 || (!status && BAD_REQUEST_TEXT.test(text))) {
    return { ok: false, type: FailureClass.BadRequest, message: firstLine(text, 'bad request') };
  }
  const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.exitCode ?? '?'}`;
  return {
    ok: false,
    type: FailureClass.AgentCrashed,
    message: `${label} ${how}: ${firstLine(text, 'no error text')}`,
  };
}

function firstLine(text: string, fallback: string): string {
  const line = text.split('\n').find((l) => l.trim());
  return (line ?? fallback).slice(0, 500);
}
