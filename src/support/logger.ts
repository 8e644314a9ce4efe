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

/** The one root logger: JSON by default, pretty on a TTY. */
export function rootLogger(level = process.env['NIGHTSHIFT_LOG_LEVEL'] ?? 'info'): Logger {
  if (root) return root;
  const pretty = process.stderr.isTTY && process.env['NIGHTSHIFT_LOG_FORMAT'] !== 'json';
  root = pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2 } } } : {}),
    },
    pretty ? undefined : pino.destination(2),
  );
  return root;
}

export const logger = (module: string): Logger => rootLogger().child({ module });

/** Mask anything that looks like an API key inside free text (CLI output, error messages). */
export function maskSecrets(text: string): string {
  return text
    .replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, '$1…')
    .replace(/(x-api-key:\s*)\S+/gi, '$1[redacted]');
}
