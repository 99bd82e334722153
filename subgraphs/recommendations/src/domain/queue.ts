// A bounded work queue: at most `concurrency` jobs run at once, at most `max` wait; a key already waiting or
// running is not queued twice. Jobs never throw out of the queue (the runner logs).
export class BoundedQueue {
  private waiting: { key: string; run: () => Promise<void> }[] = [];
  private keys = new Set<string>();
  private active = 0;
  private accepting = true;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private concurrency: number,
    private max: number,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  /** false when full, stopped, or the key is already queued/running. */
  push(key: string, run: () => Promise<void>): boolean {
    if (!this.accepting || this.keys.has(key) || this.waiting.length >= this.max) return false;
    this.keys.add(key);
    this.waiting.push({ key, run });
    this.pump();
    return true;
  }

  private pump() {
    while (this.active < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.active++;
      void job
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.keys.delete(job.key);
          this.pump();
          if (this.active === 0 && this.waiting.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  onIdle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stop accepting; wait for what is queued and running. */
  async drain(): Promise<void> {
    this.accepting = false;
    await this.onIdle();
  }
}
