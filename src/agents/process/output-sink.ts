// A supervised process's output as it is kept: the raw file, its lines, its tails — every configured secret masked.
import { createWriteStream, type WriteStream } from 'node:fs';
import { dropCutSecret, longestSecret, mask } from '../../support/secrets.js';

/** Text held back at most before it is masked and written without its line's end (a line with no newline). */
const HOLD = 64 * 1024;

/**
 * Raw process output goes to a file, bounded, secrets masked: whole lines are masked (a secret split across chunks
 * is still found), past the limit only a marker is written. The stream's errors
 * (a missing dir, EACCES, ENOSPC) are caught and reported to `onError` — never an unhandled 'error' event.
 */
export class BoundedSink {
  private written = 0;
  private truncated = false;
  private failure: Error | undefined;
  private pending = '';
  private readonly stream: WriteStream;

  constructor(
    readonly path: string,
    private readonly limit: number,
    onError: (err: Error) => void = () => undefined,
  ) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (err: NodeJS.ErrnoException) => {
      if (this.failure) return;
      if (err.path === undefined) err.path = path; // a failed write (ENOSPC) names no file: this one
      this.failure = err;
      onError(err);
    });
  }

  /** The first error of the file, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Resolves once the file is open (undefined) or could not be (its error): nothing runs with nowhere to write. */
  ready(): Promise<Error | undefined> {
    if (this.failure || !this.stream.pending) return Promise.resolve(this.failure);
    return new Promise((resolve) => {
      this.stream.once('ready', () => resolve(undefined));
      this.stream.once('error', resolve);
    });
  }

  write(chunk: string): void {
    if (this.truncated || this.failure) return;
    this.pending += chunk;
    const cut = this.pending.lastIndexOf('\n') + 1;
    // No newline for long: write all but a tail that could hold the start of a secret.
    const upTo = cut > 0 ? cut : this.pending.length > HOLD ? this.pending.length - longestSecret() : 0;
    if (upTo <= 0) return;
    const ready = this.pending.slice(0, upTo);
    this.pending = this.pending.slice(upTo);
    this.writeMasked(mask(ready));
  }

  private writeMasked(chunk: string): void {
    const room = this.limit - this.written;
    if (chunk.length <= room) {
      this.stream.write(chunk);
      this.written += chunk.length;
      return;
    }
    this.stream.write(chunk.slice(0, Math.max(0, room)));
    this.stream.write(`\n[nightshift: output truncated at ${this.limit} bytes]\n`);
    this.truncated = true;
  }

  /** Flushes and closes; a failure to (ENOSPC on the last write) is in `error` afterwards. */
  close(): Promise<void> {
    if (this.pending && !this.truncated && !this.failure) this.writeMasked(mask(this.pending));
    this.pending = '';
    if (this.failure || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
  }
}

/** Splits a byte stream into lines, each masked; keeps at most `maxLine` chars of an over-long line. */
export class LineSplitter {
  private rest = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 1_000_000,
  ) {}

  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    if (this.rest.length > this.maxLine) this.rest = this.rest.slice(0, this.maxLine);
    for (const line of parts) if (line.trim()) this.onLine(mask(line));
  }

  end(): void {
    if (this.rest.trim()) this.onLine(mask(this.rest));
    this.rest = '';
  }
}

/** Keeps only the last `size` characters (stderr tail for error messages), masked, even a secret cut at its start. */
export class Tail {
  private text = '';
  private cut = false;
  constructor(private readonly size = 8000) {}
  push(chunk: string): void {
    const text = this.text + chunk;
    const keep = this.size + longestSecret();
    this.cut ||= text.length > keep;
    this.text = text.slice(-keep);
  }
  toString(): string {
    // After a cut the text may begin with the end of a secret whose start is gone: that piece is dropped.
    return mask(this.cut ? dropCutSecret(this.text) : this.text).slice(-this.size);
  }
}
