// Codex's Linux sandbox: with bubblewrap on the host, codex runs each tool through bwrap, which then execs
// `codex-linux-sandbox` from PATH — the codex binary itself under that name (its arg0 dispatch). The npm package
// does not put one on PATH, so every tool call failed ("bwrap: execvp codex-linux-sandbox"); this does.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** The native codex binary behind a command (the npm launcher `bin/codex.js`, or the binary itself). */
export function nativeCodex(command: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(command);
  } catch {
    return undefined;
  }
  if (!real.endsWith('.js')) return real;
  try {
    const pkg = createRequire(real).resolve(`@openai/codex-${process.platform}-${process.arch}/package.json`);
    const vendor = join(dirname(pkg), 'vendor');
    for (const triple of readdirSync(vendor)) {
      const bin = join(vendor, triple, 'bin', 'codex');
      if (existsSync(bin)) return bin;
    }
  } catch {
    // no platform package: codex itself will say so
  }
  return undefined;
}

/** A directory holding `codex-linux-sandbox` → the native binary, to put first on codex's PATH (idempotent). */
export async function sandboxHelperDir(stateDir: string, command: string): Promise<string | undefined> {
  const native = nativeCodex(command);
  if (!native) return undefined;
  const dir = join(stateDir, 'sandbox-bin');
  const link = join(dir, 'codex-linux-sandbox');
  await mkdir(dir, { recursive: true });
  await rm(link, { force: true }); // a codex upgrade moves the binary: point at today's
  await symlink(native, link);
  return dir;
}

export const withPathFirst = (dir: string | undefined, path: string | undefined): Record<string, string> =>
  dir ? { PATH: path ? `${dir}${delimiter}${path}` : dir } : {};
