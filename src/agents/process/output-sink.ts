import { createWriteStream, type WriteStream } from 'node:fs';

/** Raw CLI output goes to a file, bounded: past the limit only a marker is written. */
export class BoundedSink {
  private written = 0;
  private truncated = false;
  private readonly stream: WriteStream;

  constructor(
    readonly path: string,
    private readonly limit: number,
  ) {
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  write(chunk: string): void {
    if (this.truncated) return;
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

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** Splits a byte stream into lines; keeps at most `maxLine` chars of an over-long line. */
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
    for (const line of parts) if (line.trim()) this.onLine(line);
  }

  end(): void {
    if (this.rest.trim()) this.onLine(this.rest);
    this.rest = '';
  }
}

/** Keeps only the last `size` characters (stderr tail for error messages). */
export class Tail {
  private text = '';
  constructor(private readonly size = 8000) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.size);
  }
  toString(): string {
    return this.text;
  }
}
