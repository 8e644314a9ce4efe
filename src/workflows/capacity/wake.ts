// The singleton's one wake-up timer: armed for the earliest time it must look again, never cancelled.
import { sleep } from '@temporalio/workflow';

/**
 * A `condition(fn, timeout)` per loop starts a timer and cancels it whenever a signal comes first: two history
 * events on every pass of a busy singleton. This keeps one timer at a time (an earlier deadline arms another;
 * a superseded one still fires, which only costs one idle pass), so a pass writes no timer events.
 */
export class WakeTimer {
  private armedAt = Infinity;
  private rang = false;

  /** Makes sure the singleton wakes by `at` (epoch ms); Infinity asks for nothing. */
  arm(at: number, now: number): void {
    if (at === Infinity || at >= this.armedAt) return;
    this.armedAt = at;
    void sleep(Math.max(1, at - now)).then(() => {
      if (this.armedAt === at) this.armedAt = Infinity;
      this.rang = true;
    });
  }

  /** A timer rang since the last reset. */
  get ringing(): boolean {
    return this.rang;
  }

  reset(): void {
    this.rang = false;
  }
}
