// One per-window limit of an endpoint (its RPM or its TPM), kept exactly and evenly.
//
// Exactly: a sliding-window log (RateBucket) never lets more than `capacity` through in any window, even when a
// request turns out to use more than it reserved.
//
// Evenly: a log alone lets the whole capacity go in the first instant and then nothing for a window, and the
// pattern repeats: the average is right, but half the windows a server measures are nearly empty, and servers
// that enforce a per-minute limit over shorter slices (OpenAI does) refuse the burst. So starts are also paced
// at capacity/window (the generic cell rate algorithm: a theoretical arrival time that each take pushes forward
// by amount × interval), and every window a server could measure holds nearly the full capacity.
//
// A take that starts a little late (timers fire in whole milliseconds, the event loop is busy) keeps the beat:
// the next one is due on the original schedule, so lateness up to `catchUpMs` is made up rather than lost for
// good (those losses add up to several percent of the capacity). After a longer idle spell the beat restarts
// from now: unused time is not saved up into a burst.
//
// Settling a reservation corrects both: the log entry, and the pacing clock by the difference, so reserving
// max_tokens up front does not slow the pace once the real usage is known.

import { RateBucket, type Reservation } from './rate-bucket.js';

export interface RateLimitOptions {
  /** Units allowed in any window. */
  capacity: number;
  /** Window length; the limit is paced at capacity / windowMs. */
  windowMs: number;
  /** How late a take may start and still keep the beat, in ms. Default windowMs / 60 (1 s of a minute). */
  catchUpMs?: number;
}

export class RateLimit {
  readonly capacity: number;
  readonly windowMs: number;
  readonly #log: RateBucket;
  /** Milliseconds of pace one unit costs. */
  readonly #interval: number;
  readonly #catchUpMs: number;
  /** The pacing clock: the next take may start at this time. */
  #theoreticalArrival = Number.NEGATIVE_INFINITY;

  constructor(opts: RateLimitOptions) {
    this.#log = new RateBucket({ capacity: opts.capacity, windowMs: opts.windowMs });
    this.capacity = opts.capacity;
    this.windowMs = opts.windowMs;
    this.#interval = opts.windowMs / opts.capacity;
    this.#catchUpMs = opts.catchUpMs ?? opts.windowMs / 60;
    if (!(this.#catchUpMs >= 0) || this.#catchUpMs > opts.windowMs) {
      throw new RangeError(`RateLimit catchUpMs must be between 0 and windowMs, got ${this.#catchUpMs}`);
    }
  }

  /** Units counted in the window ending at `now`. */
  used(now: number): number {
    return this.#log.used(now);
  }

  /** Milliseconds from `now` until `amount` more units may start; 0 when they may start now. */
  waitMs(amount: number, now: number): number {
    return Math.max(0, this.#theoreticalArrival - now, this.#log.waitMs(amount, now));
  }

  /** Takes `amount` units at `now`; call when `waitMs(amount, now)` is 0. */
  take(amount: number, now: number): Reservation {
    const entry = this.#log.tryTake(amount, now);
    if (!entry) throw new RangeError(`RateLimit.take(${amount}) at ${now} does not fit; check waitMs first`);
    const onTheBeat = now - this.#theoreticalArrival <= this.#catchUpMs;
    this.#theoreticalArrival = (onTheBeat ? this.#theoreticalArrival : now) + amount * this.#interval;
    return {
      amount,
      settle: (actual: number) => {
        entry.settle(actual);
        this.#theoreticalArrival += (actual - amount) * this.#interval;
      },
    };
  }
}
