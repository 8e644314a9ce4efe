// A job's repo is a local path (on some host) or a git URL (any host clones it); the URL as it may be shown.
// Workflow-safe: plain string work, no Node imports.

/** `scheme://…` for the schemes git fetches over; `user@host:path` is git's scp-like ssh form. */
const SCHEME_URL = /^(?:file|ssh|git|https?|git\+ssh|ssh\+git):\/\//i;
const SCP_LIKE = /^[\w.-]+@[\w.-]+:(?!\/\/)/;

/** True for a git URL, false for a local path (`JobSpec.repoPath` holds either, as given). */
export const isRepoUrl = (repo: string): boolean => SCHEME_URL.test(repo) || SCP_LIKE.test(repo);

/** Any `scheme://userinfo@` in a text: the userinfo runs to the last `@` before the host's first `/`. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/'"]*)@/gi;

function maskUserinfo(scheme: string, userinfo: string): string {
  const colon = userinfo.indexOf(':');
  if (colon >= 0) return `${userinfo.slice(0, colon)}:***`;
  // Over http a lone user name is often a token (`https://<token>@host/…`); over ssh it is a login.
  return /^https?:/i.test(scheme) ? '***' : userinfo;
}

/** The text with every URL's password (and an http URL's lone user name) replaced by `***`. */
export const maskUrlsIn = (text: string): string =>
  text.replace(USERINFO, (_match, scheme: string, userinfo: string) => `${scheme}${maskUserinfo(scheme, userinfo)}@`);

/** A repo URL as payloads, logs and errors may carry it: no password. A local path is returned unchanged. */
export const maskRepoUrl = (repo: string): string => (isRepoUrl(repo) ? maskUrlsIn(repo) : repo);
