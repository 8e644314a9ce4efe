// Git talking to an origin: its failures name the masked URL and git's own words (credentials redacted), and
// git's stderr decides whether another attempt could help (a network hiccup) or not (no such repo, no access).
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import { maskRepoUrl, maskUrlsIn } from '../protocol/repo.js';
import { git } from './git.js';

/** Git's words for what another attempt cannot fix: no such repo, no access, a rejected push, a bad URL. */
const PERMANENT = [
  /not found/i,
  /does not appear to be a git repository/i,
  /does not exist/i,
  /not a git repository/i,
  /authentication failed/i,
  /permission denied/i,
  /could not read (username|password)/i,
  /returned error: 40[0-4]/i,
  /unable to find remote helper|is not supported|don't handle protocol|bad\/illegal format/i,
  /\[rejected\]|\[remote rejected\]|non-fast-forward/i,
];

/** Judged on git's words, not the URLs and paths it quotes (a repo may be named `not-found`). */
export const isPermanentGitFailure = (stderr: string): boolean => {
  const words = stderr.replace(/'[^']*'/g, "''");
  return PERMANENT.some((p) => p.test(words));
};

/** A URL's secrets as they may appear in text: its password (or an http token user), raw and percent-decoded. */
function secretsOf(url: string): string[] {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^\s/]*)@/i.exec(url)?.[1] ?? '';
  const colon = userinfo.indexOf(':');
  const secret = colon >= 0 ? userinfo.slice(colon + 1) : /^https?:/i.test(url) ? userinfo : '';
  if (!secret) return [];
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // not percent-encoded: the raw form is all there is
  }
  return [...new Set([secret, decoded])];
}

/** `text` safe to show: every URL masked, and the given URL's secrets gone wherever else git echoed them. */
export const redact = (text: string, url: string): string =>
  secretsOf(url).reduce((t, s) => t.split(s).join('***'), maskUrlsIn(text));

/**
 * git in `cwd` against the origin at `url` (the real one, credentials and all); its stdout. A failure is
 * WorkspaceFailed (nonRetryable) when git's stderr says the repo is missing or refused, else RepoUnreachable (retried):
 * "<doing> <masked url>: <git's message>".
 */
export async function remoteGitOk(cwd: string, args: string[], url: string, doing: string): Promise<string> {
  const r = await git(cwd, args);
  if (r.exitCode === 0) return r.stdout;
  const said = r.stderr.trim() || r.stdout.trim() || (r.shortMessage ?? `git exited ${r.exitCode}`);
  // A network error is worth another attempt (a class retry policies do not stop); a missing repo is not.
  const permanent = isPermanentGitFailure(said);
  const type = permanent ? FailureClass.WorkspaceFailed : FailureClass.RepoUnreachable;
  throw encodeFailure(type, `${doing} ${maskRepoUrl(url)}: ${redact(said, url)}`, {
    nonRetryable: permanent,
  });
}
