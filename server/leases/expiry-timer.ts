// The scheduling half of an expiration manager, shared by leases and tokens: one timer for the
// earliest deadline, fired on whole seconds (one pass then handles everything due in that second),
// waits longer than setTimeout's limit taken in steps, unref'd so it never keeps the process alive.

/** setTimeout's limit is 2^31-1 ms; longer waits are taken in steps. */
const MAX_TIMER_MS = 3_600_000;
const TICK_MS = 1000;

/**
 * Runs `expireDue(now)` when the earliest scheduled deadline has come; `expireDue` handles what is
 * due and answers the next deadline (Unix milliseconds, `Infinity` for none).
 */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    /** Unix milliseconds. */
    private readonly clock: () => number,
    private readonly expireDue: (now: number) => Promise<number>,
    private readonly log: (line: string) => void,
  ) {}

  /** Handle what is due now, then wait for the next deadline. */
  async runNow(): Promise<void> {
    let next: number;
    try {
      next = await this.expireDue(this.clock());
    } catch (e) {
      this.log(`expiry pass failed, retrying: ${(e as Error).message}`);
      next = this.clock() + TICK_MS;
    }
    this.schedule(next);
  }

  /** Make sure a pass runs at `at` (Unix milliseconds) or earlier. */
  schedule(at: number): void {
    if (this.stopped || at === Infinity || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.min(Math.max(Math.ceil(at / TICK_MS) * TICK_MS - this.clock(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.runNow();
    }, delay);
    this.timer.unref();
  }

  /** Stop for good (the server is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
