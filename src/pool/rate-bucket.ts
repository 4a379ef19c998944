// A sliding-window budget: of `capacity` units, no more than that many are taken in any `windowMs` window.
//
// A classic token bucket refilled at capacity/window lets nearly twice the capacity through in one window
// (a full bucket at the start, then the refill), which is exactly what a provider's per-minute limit
// punishes. So this keeps a log of what was taken and when: exact, and the log is as long as the number of
// takes in one window (an RPM bucket holds at most `rpm` entries).
//
// Units are abstract: requests for an RPM limit (amount 1 each), tokens for a TPM limit (an estimate taken
// up front, then `settle`d to the usage the server reported).

export interface RateBucketOptions {
  /** Units allowed in any window. */
  capacity: number;
  /** Window length in milliseconds. Default: 60 000 (one minute). */
  windowMs?: number;
}

/** What one `take` reserved; `settle` corrects it once the real amount is known. */
export interface Reservation {
  readonly amount: number;
  /** Replace the reserved amount with what was actually used (no effect once the take has left the window). */
  settle(actual: number): void;
}

interface Entry {
  at: number;
  amount: number;
  expired: boolean;
}

export class RateBucket {
  readonly capacity: number;
  readonly windowMs: number;
  #entries: Entry[] = [];
  #head = 0;
  #used = 0;
  #lastAt = -Infinity;

  constructor(opts: RateBucketOptions) {
    if (!(opts.capacity > 0) || !Number.isFinite(opts.capacity)) {
      throw new RangeError(`RateBucket capacity must be a positive number, got ${opts.capacity}`);
    }
    const windowMs = opts.windowMs ?? 60_000;
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`RateBucket windowMs must be a positive number, got ${windowMs}`);
    }
    this.capacity = opts.capacity;
    this.windowMs = windowMs;
  }

  /** Units taken in the window ending at `now`. */
  used(now: number): number {
    this.#expire(now);
    return this.#used;
  }

  /**
   * Milliseconds from `now` until `amount` units fit; 0 when they fit now.
   * An amount larger than the whole capacity fits once the window is empty, so it is slow but not stuck.
   */
  waitMs(amount: number, now: number): number {
    this.#expire(now);
    const excess = this.#used + Math.min(amount, this.capacity) - this.capacity;
    if (excess <= 0) return 0;
    let freed = 0;
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i] as Entry;
      freed += entry.amount;
      if (freed >= excess) return Math.max(0, entry.at + this.windowMs - now);
    }
    // Settled amounts can leave less in the log than `excess` only through rounding; the last entry bounds it.
    const last = this.#entries[this.#entries.length - 1];
    return last ? Math.max(0, last.at + this.windowMs - now) : 0;
  }

  /** Takes `amount` units at `now` if they fit, else returns undefined and takes nothing. */
  tryTake(amount: number, now: number): Reservation | undefined {
    if (this.waitMs(amount, now) > 0) return undefined;
    // A clock that steps back must not reorder the log, which `#expire` relies on being sorted.
    const at = Math.max(now, this.#lastAt);
    this.#lastAt = at;
    const entry: Entry = { at, amount, expired: false };
    this.#entries.push(entry);
    this.#used += amount;
    return {
      amount,
      settle: (actual: number) => {
        if (entry.expired) return;
        this.#used += actual - entry.amount;
        entry.amount = actual;
      },
    };
  }

  #expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head] as Entry;
      if (entry.at > cutoff) break;
      entry.expired = true;
      this.#used -= entry.amount;
      this.#head++;
    }
    if (this.#head === this.#entries.length) this.#used = 0; // drop float drift from settled amounts
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
