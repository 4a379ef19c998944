// Adaptive concurrency for one endpoint: additive increase, multiplicative decrease (AIMD), as TCP does it.
//
// A 429 halves the number of requests the endpoint may have in flight; a full window of successes (as many as
// the limit) adds one, counted in whole successes so the steps are exact. A burst of 429s is one signal, not
// many: the requests already in flight when the limit dropped were sent under the old limit, so their 429s
// say nothing new and are ignored.
// Requests are identified by their start sequence number, which (unlike a clock) orders starts in the same
// millisecond.

export class AdaptiveConcurrency {
  /** The ceiling the limit climbs back to: the endpoint's configured max in flight. */
  readonly max: number;
  #limit: number;
  /** Successes since the limit last changed. */
  #successes = 0;
  /** Start sequence number at the last decrease; 429s of requests started before it are ignored. */
  #decreasedAtSeq = -1;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`AdaptiveConcurrency max must be a whole number ≥ 1, got ${max}`);
    this.max = max;
    this.#limit = max;
  }

  /** Requests that may be in flight now (a whole number from 1 to `max`). */
  get limit(): number {
    return this.#limit;
  }

  /**
   * A request started with sequence number `startSeq` was refused with a 429; `nextSeq` is the sequence number
   * the next start will get. Returns whether the limit dropped (false: the burst was already answered, or the
   * limit is already 1).
   */
  onRateLimited(startSeq: number, nextSeq: number): boolean {
    if (startSeq < this.#decreasedAtSeq) return false;
    const before = this.#limit;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#successes = 0;
    this.#decreasedAtSeq = nextSeq;
    return this.#limit < before;
  }

  /** A request succeeded: one more slot per limit's worth of successes. */
  onSuccess(): void {
    if (this.#limit >= this.max) return;
    this.#successes++;
    if (this.#successes < this.#limit) return;
    this.#limit++;
    this.#successes = 0;
  }
}
