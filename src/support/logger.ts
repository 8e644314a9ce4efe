import { pino, type DestinationStream, type Logger } from 'pino';
import { mask, maskDeep } from './secrets.js';

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
      // Pretty output is formatted in a worker thread: values are masked before they leave this one.
      ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2 } }, ...maskBeforeFormat } : {}),
    },
    pretty ? undefined : masked(pino.destination(file ? { dest: file, mkdir: true, sync: true } : 2)),
  );
  return root;
}

/** Every configured secret masked in each finished JSON line (src/support/secrets.ts), whatever field carried it. */
const masked = (dest: DestinationStream): DestinationStream => ({ write: (line: string) => dest.write(mask(line)) });

/** The pretty path: messages, logged objects' strings and errors masked before they go to the formatting thread. */
const maskBeforeFormat = {
  serializers: { err: (e: Error): unknown => JSON.parse(mask(JSON.stringify(pino.stdSerializers.err(e)))) },
  hooks: {
    logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void): void {
      method.apply(
        this,
        (args as unknown[]).map((a) => (typeof a === 'string' ? mask(a) : a)),
      );
    },
  },
  formatters: { log: (o: Record<string, unknown>) => maskDeep(o) }, // an Error stays one: its serializer masks it
};

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

/** Every configured secret, URL password and API-key-shaped string in free text masked (one mask: secrets.ts). */
export const maskSecrets = mask;
