// A host's cap on agent CLIs running at once: one host is never driven into the ground by the fleet's queue.

export class AgentSlots {
  private used = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max: number) {}

  get running(): number {
    return this.used;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free; an abort while waiting rejects and takes no slot. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const grant = (): (() => void) => {
      this.used++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.used--;
        this.queue.shift()?.();
      };
    };
    const aborted = (): Error =>
      signal?.reason instanceof Error ? signal.reason : new Error('aborted while waiting for an agent slot');
    if (signal?.aborted) return Promise.reject(aborted()); // an abort event already fired never fires again
    if (this.used < this.max) return Promise.resolve(grant());
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(grant());
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(wake);
        if (i >= 0) this.queue.splice(i, 1);
        reject(aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(wake);
    });
  }
}
