// Agents die with their host: a helper outside the worker SIGKILLs every process group still registered when
// the worker's pipe to it closes — the worker exited, crashed or was SIGKILLed — so no CLI outlives it as an orphan.
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper (POSIX sh, no Node: it must outlive the worker): `+PGID` registers a group, `-PGID` drops it;
 * at EOF it kills what is left and exits. `g` is a space-delimited set (" 12 34 ").
 */
const SCRIPT = `
g=' '
while read -r l; do
  case "$l" in
    +*) g="$g\${l#+} " ;;
    -*) p="\${l#-}"; case "$g" in *" $p "*) g="\${g%%" $p "*} \${g#*" $p "}" ;; esac ;;
  esac
done
for p in $g; do kill -KILL "-$p" 2>/dev/null; done
`;

class Reaper {
  private child: ChildProcess | undefined;
  /** Groups alive now: a reaper restarted after its predecessor died learns them all again. */
  private readonly live = new Set<number>();

  track(pgid: number): () => void {
    if (!Number.isInteger(pgid) || pgid <= 1) return () => undefined;
    this.live.add(pgid);
    if (!this.send(`+${pgid}`)) this.restart();
    return () => {
      if (!this.live.delete(pgid)) return;
      this.send(`-${pgid}`);
    };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** False when there is no reaper to write to (not started yet, or it died). */
  private send(line: string): boolean {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    stdin.write(`${line}\n`);
    return true;
  }

  private restart(): void {
    // Its own session (a terminal's Ctrl-C to the worker's group never reaches it), unref'd: Node still exits,
    // and its exit closes the pipe. No stdout/stderr: it holds nothing a parent waits on.
    const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    this.child = child;
    const gone = (): void => {
      if (this.child === child) this.child = undefined;
    };
    child.on('error', gone); // could not spawn: the next track tries again
    child.on('exit', gone);
    child.stdin?.on('error', gone); // EPIPE: it died under us
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    for (const pgid of this.live) this.send(`+${pgid}`);
  }
}

const reaper = new Reaper();

/** Registers a process group with this worker process's reaper; the returned function drops it (after it ended). */
export function trackGroup(pgid: number): () => void {
  return reaper.track(pgid);
}

/** The reaper's pid, once one runs (tests check that it exits with its worker). */
export function reaperPid(): number | undefined {
  return reaper.pid;
}
