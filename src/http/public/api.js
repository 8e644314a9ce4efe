// The API and its event stream, authorized by the HttpOnly cookie that `POST /login` sets: the page opened as
// `/login#token=…` (a fragment never reaches the server's logs) trades the token for it, then drops it from the URL.
/* global URLSearchParams, location, history, fetch, EventSource -- browser globals: eslint.config.js sets none for plain .js files */

/** Exchanges `#token=` for the session cookie once; the token is then neither in the address bar nor in script. */
async function login() {
  const given = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!given) return;
  history.replaceState(null, '', location.pathname === '/login' ? '/' : location.pathname + location.search);
  await fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token: given }),
  }).catch(() => undefined); // a failed login shows as the API's 401 in the banner
}

await login();

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
  const source = new EventSource('/api/events'); // same origin: the cookie goes with it
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
