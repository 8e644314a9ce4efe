import { pino, type Logger } from 'pino';

// Secrets never reach a log line: any of these paths is replaced by [redacted].
const REDACT = [
  '*.apiKey',
  '*.token',
  '*.authorization',
  '*.env',
  'env',
  'headers.authorization',
  '*.ANTHROPIC_API_KEY',
  '*.OPENAI_API_KEY',
  '*.GEMINI_API_KEY',
];

let root: Logger | undefined;

/** The one root logger: pretty on a TTY, JSON when piped (or NIGHTSHIFT_LOG_FORMAT=json); NIGHTSHIFT_LOG_FILE sends it to a file. */
export function rootLogger(level = process.env['NIGHTSHIFT_LOG_LEVEL'] ?? 'info'): Logger {
  if (root) return root;
  const file = process.env['NIGHTSHIFT_LOG_FILE'];
  const asked = process.env['NIGHTSHIFT_LOG_FORMAT'];
  const pretty = !file && asked !== 'json' && (asked === 'pretty' || process.stderr.isTTY);
  root = pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2 } } } : {}),
    },
    pretty ? undefined : pino.destination(file ? { dest: file, mkdir: true, sync: true } : 2),
  );
  return root;
}

/** A module's logger, made on first use: a module-level `logger(…)` must not fix the destination at import. */
export function logger(module: string): Logger {
  let child: Logger | undefined;
  return new Proxy({} as Logger, {
    get(_target, prop) {
      child ??= rootLogger().child({ module });
      const value: unknown = Reflect.get(child, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(child) : value;
    },
  });
}

/** Mask anything that looks like an API key inside free text (CLI output, error messages). */
export function maskSecrets(text: string): string {
  return text
    .replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, '$1…')
    .replace(/(x-api-key:\s*)\S+/gi, '$1[redacted]');
}
