// The floor: an in-process pool spawning the same agent command at most `slots` at a time (p-limit style).
import { spawn } from 'node:child_process';

export interface Spawned {
  /** submit → spawn, exit → done (ms). */
  toSpawn: number;
  toDone: number;
}

/** Every system runs this agent: it sleeps for its prompt's seconds (0: a no-op), the prompt in the environment. */
export const AGENT = ['sh', '-c', 'sleep "$NIGHTSHIFT_PROMPT"'];

/** Runs the agent for `seconds`; resolves at its exit with when it was spawned and exited (performance.now()). */
export function run(seconds: number): Promise<{ spawnedAt: number; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env['PATH'] ?? '', NIGHTSHIFT_PROMPT: String(seconds) };
    const child = spawn(AGENT[0]!, AGENT.slice(1), { stdio: 'ignore', env });
    const spawnedAt = performance.now();
    child.on('error', reject);
    child.on('exit', () => resolve({ spawnedAt, exitedAt: performance.now() }));
  });
}

/** A bare pool: a FIFO, at most `slots` running; `submit` resolves when the job is done. */
export function barePool(slots: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    while (running < slots && waiting.length > 0) {
      running++;
      waiting.shift()!();
    }
  };
  return {
    queued: (): number => waiting.length,
    submit(seconds: number): Promise<Spawned> {
      const submittedAt = performance.now();
      return new Promise((resolve, reject) => {
        waiting.push(() => {
          run(seconds)
            .then(({ spawnedAt, exitedAt }) => {
              running--;
              next();
              resolve({ toSpawn: spawnedAt - submittedAt, toDone: performance.now() - exitedAt });
            })
            .catch(reject);
        });
        next();
      });
    },
  };
}
