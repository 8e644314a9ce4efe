// Writes the sandbox refused, as the CLI reported them in its output (a tool's error: EROFS, "Read-only file system").
const ERRNO =
  /\b(?:EROFS|EACCES|EPERM)\b[^'"\n]{0,80}?\b(?:open|mkdir|rename|unlink|copyfile|symlink|rmdir|scandir|utime|chmod)\s+\\?['"](\/[^'"\\]+)\\?['"]/g;
const SHELL = /(\/[^\s'"\\:]+)\\?['"]?: Read-only file system/g;
const MAX = 50;
/** `file.tmp.<pid>.<hex>`: a CLI writing atomically (write a temp beside it, then rename). */
const ATOMIC = /\.tmp\.\d+\.[0-9a-f]+$/;

/** Collects absolute paths a CLI's stream says were refused; `inside` filters out the workspace's own paths. */
export class RefusalScanner {
  readonly paths = new Set<string>();

  constructor(private readonly allowed: (path: string) => boolean) {}

  feed(line: string): void {
    if (!line.includes('EROFS') && !line.includes('Read-only file system') && !/EACCES|EPERM/.test(line)) return;
    for (const re of [ERRNO, SHELL]) {
      for (const m of line.matchAll(re)) {
        const path = m[1]?.replace(ATOMIC, ''); // the file it meant, not its atomic-write temp name
        if (path && !this.allowed(path) && this.paths.size < MAX) this.paths.add(path);
      }
    }
  }

  list(): string[] {
    return [...this.paths].sort();
  }
}
