import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../support/usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict; its errors become usage errors (exit 2). */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `--timeout -5` reaches validation as the value -5 (named there), instead of parseArgs' "argument is ambiguous":
 * a string flag followed by a negative number takes it as its value.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A numeric flag: named in the error when it is not a whole number. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name}: expected a whole number, got "${value}"`);
  return n;
}

/** `--check` takes a JSON array (`'["npm","test"]'`) or words split on spaces; never a shell. */
export function argvFlag(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
    } catch {
      // fall through to the error below
    }
    throw new UsageError(`--${name}: expected a JSON array of strings, got ${JSON.stringify(value)}`);
  }
  return value.split(/\s+/).filter(Boolean);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
