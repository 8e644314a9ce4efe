// The API and its event stream, with the token the page was opened with (`?token=`, kept for the tab's session).
/* global URL, location, sessionStorage, history, fetch, EventSource -- browser globals: eslint.config.js sets none for plain .js files */

const KEY = 'nightshift.token';

/** Reads `?token=` once, keeps it in sessionStorage, and takes it out of the address bar (and of screenshots). */
function takeToken() {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem(KEY, given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

const token = takeToken();

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** fetch() of one API path: JSON in, JSON out, `ApiError` for a non-2xx answer (its `{error}` as the message). */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { error: text };
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * The server's event stream: `handlers[type](data)` per event, `onState('live' | 'reconnecting')`.
 * EventSource reconnects by itself; the server's `hello` snapshot on each connect repairs what was missed.
 */
export function connectEvents(handlers, onState) {
  const url = token ? `/api/events?access_token=${encodeURIComponent(token)}` : '/api/events';
  const source = new EventSource(url);
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  for (const [type, handle] of Object.entries(handlers)) {
    source.addEventListener(type, (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return; // a torn message: the next snapshot repairs it
      }
      handle(data);
    });
  }
  return source;
}
