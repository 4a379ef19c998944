// Rate limits as a hosted API keeps them, for the loopback fake server: requests and tokens per sliding window,
// a 429 with the wait past them, and `x-ratelimit-*` headers on every answer saying what is left. The counts it
// keeps (what it accepted, and the highest any window reached) are what a benchmark reports against the limit.

export interface ServerRateLimits {
  /** Requests accepted per window; undefined = unlimited. */
  rpm?: number;
  /** Tokens (prompt + completion, as the answer's usage reports them) accepted per window; undefined = unlimited. */
  tpm?: number;
  /** Window length. Default 60 000 ms. */
  windowMs?: number;
}

export interface WindowPeaks {
  /** The most requests accepted in any window so far. */
  requests: number;
  /** The most tokens accepted in any window so far. */
  tokens: number;
}

export type LimitDecision =
  | { accepted: true; headers: Record<string, string> }
  | { accepted: false; retryAfterMs: number; headers: Record<string, string> };

interface Arrival {
  at: number;
  tokens: number;
}

/** A Go-style duration as OpenAI writes it in `x-ratelimit-reset-*`: `250ms`, `1.5s`. */
function goDuration(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)}ms` : `${(Math.ceil(ms) / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

export class ServerRateLimiter {
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly windowMs: number;
  #arrivals: Arrival[] = [];
  #head = 0;
  #tokens = 0;
  readonly peaks: WindowPeaks = { requests: 0, tokens: 0 };
  /** Requests refused with a 429. */
  refused = 0;

  constructor(limits: ServerRateLimits) {
    this.rpm = limits.rpm;
    this.tpm = limits.tpm;
    this.windowMs = limits.windowMs ?? 60_000;
  }

  /** Accepts a request of `tokens` arriving at `now` if both limits allow it, and counts it; else refuses it. */
  admit(tokens: number, now: number): LimitDecision {
    this.#expire(now);
    const requests = this.#arrivals.length - this.#head;
    const overRequests = this.rpm !== undefined && requests + 1 > this.rpm;
    const overTokens = this.tpm !== undefined && this.#tokens + tokens > this.tpm && requests > 0;
    if (overRequests || overTokens) {
      this.refused++;
      const retryAfterMs = Math.max(1, this.#waitMs(overRequests ? 1 : 0, overTokens ? tokens : 0, now));
      return {
        accepted: false,
        retryAfterMs,
        headers: {
          'retry-after-ms': String(retryAfterMs),
          'retry-after': String(Math.ceil(retryAfterMs / 1000)),
          ...this.#statusHeaders(now),
        },
      };
    }
    this.#arrivals.push({ at: now, tokens });
    this.#tokens += tokens;
    this.peaks.requests = Math.max(this.peaks.requests, requests + 1);
    this.peaks.tokens = Math.max(this.peaks.tokens, this.#tokens);
    return { accepted: true, headers: this.#statusHeaders(now) };
  }

  #statusHeaders(now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    // Reset, as OpenAI means it: the time until the budget is whole again, i.e. the newest counted request
    // has left the window.
    const newest = this.#arrivals.length > this.#head ? this.#arrivals[this.#arrivals.length - 1] : undefined;
    const resetMs = goDuration(newest ? newest.at + this.windowMs - now : 0);
    if (this.rpm !== undefined) {
      headers['x-ratelimit-limit-requests'] = String(this.rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, this.rpm - (this.#arrivals.length - this.#head)));
      headers['x-ratelimit-reset-requests'] = resetMs;
    }
    if (this.tpm !== undefined) {
      headers['x-ratelimit-limit-tokens'] = String(this.tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, this.tpm - this.#tokens));
      headers['x-ratelimit-reset-tokens'] = resetMs;
    }
    return headers;
  }

  /** Milliseconds until `requests` more requests and `tokens` more tokens fit. */
  #waitMs(requests: number, tokens: number, now: number): number {
    let count = this.#arrivals.length - this.#head;
    let used = this.#tokens;
    for (let i = this.#head; i < this.#arrivals.length; i++) {
      const fitsRequests = this.rpm === undefined || count + requests <= this.rpm;
      const fitsTokens = this.tpm === undefined || used + tokens <= this.tpm;
      if (fitsRequests && fitsTokens) return 0;
      const arrival = this.#arrivals[i] as Arrival;
      count--;
      used -= arrival.tokens;
      if ((this.rpm === undefined || count + requests <= this.rpm) && (this.tpm === undefined || used + tokens <= this.tpm)) {
        return arrival.at + this.windowMs - now;
      }
    }
    return this.windowMs;
  }

  #expire(now: number): void {
    while (this.#head < this.#arrivals.length && (this.#arrivals[this.#head] as Arrival).at <= now - this.windowMs) {
      this.#tokens -= (this.#arrivals[this.#head] as Arrival).tokens;
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#arrivals.length) {
      this.#arrivals = this.#arrivals.slice(this.#head);
      this.#head = 0;
    }
  }
}
