export interface QueueLogger {
  error(msg: string, ...rest: unknown[]): void;
}

/**
 * Work done after an acknowledgement (writing a vote, confirming it). Runs at most `concurrency` jobs at once, so
 * that a vote storm queues here instead of flooding the event loop and the database pool, and acknowledgements of
 * new requests stay fast. Jobs run in arrival order; a job that throws is logged (jobs report their own errors to
 * the user before that).
 */
export class WorkQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;
  readonly stats = { done: 0, failed: 0, maxWaiting: 0 };

  constructor(
    private readonly concurrency = 32,
    private readonly log: QueueLogger = console,
  ) {}

  push(job: () => Promise<void>): void {
    this.waiting.push(job);
    if (this.waiting.length > this.stats.maxWaiting) this.stats.maxWaiting = this.waiting.length;
    this.pump();
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift() as () => Promise<void>;
      this.running++;
      job()
        .then(
          () => {
            this.stats.done++;
          },
          (e: unknown) => {
            this.stats.failed++;
            this.log.error('Slack background job failed', e);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Resolves once nothing is queued or running (bounded by `timeoutMs`). */
  async idle(timeoutMs = 10000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }
}
