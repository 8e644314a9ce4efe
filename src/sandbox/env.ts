// The environment a sandboxed process starts with: the worker's plain settings, and only its own CLI's keys.
// Nothing else of the worker's environment (other CLIs' keys, tokens, cloud credentials) reaches it.

/** Worker variables every agent and check keeps: where programs are, locale, time zone, proxies, CA bundles. */
const PLAIN = new Set([
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'USER',
  'LOGNAME',
  'SHELL',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
]);
const PLAIN_PREFIXES = ['LC_'];

export interface EnvRequest {
  /** The worker's environment. */
  worker: NodeJS.ProcessEnv;
  /** Worker variables this process may also see: its CLI's own keys and settings, by name prefix. */
  own: readonly string[];
  /** What the adapter (or the check) sets: the backend's config env and its fixed settings. Wins over the rest. */
  set: Record<string, string>;
  /** HOME and TMPDIR inside the sandbox (unset: the worker's). */
  home?: string;
}

export function sandboxEnv(r: EnvRequest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.worker)) {
    if (value === undefined) continue;
    const plain = PLAIN.has(name) || PLAIN_PREFIXES.some((p) => name.startsWith(p));
    if (plain || r.own.some((p) => name.startsWith(p))) env[name] = value;
  }
  if (r.home) env['HOME'] = r.home;
  else if (r.worker['HOME']) env['HOME'] = r.worker['HOME'];
  return { ...env, ...r.set };
}
