// What the pool reports as it works, for progress lines and logs.

import type { ProviderError, RateLimitedError } from '../providers/errors.js';

export interface RetryEvent {
  /** The endpoint that failed the request. */
  endpoint: string;
  /** 1 for the first retry. */
  attempt: number;
  /** How long the request stays off that endpoint; another endpoint may take it sooner. */
  delayMs: number;
  error: ProviderError;
}

export interface RateLimitedEvent {
  endpoint: string;
  /** What the server asked for; undefined when it did not say. */
  retryAfterMs: number | undefined;
  /** No new request starts on this endpoint before this time (ms since epoch); undefined when the server gave no wait. */
  pausedUntil: number | undefined;
  /** The endpoint's concurrency after this 429. */
  concurrency: number;
  /** Whether this 429 lowered it (only the first of a burst does). */
  concurrencyLowered: boolean;
  error: RateLimitedError;
}

export interface CircuitEvent {
  endpoint: string;
  /** `open`: the endpoint gets no work until a probe answers after `cooldownMs`; `closed`: it answered again. */
  state: 'open' | 'closed';
  cooldownMs?: number;
  /** The failure that opened it. */
  error?: ProviderError;
}

export interface PoolEvents {
  retry: [RetryEvent];
  rateLimited: [RateLimitedEvent];
  circuit: [CircuitEvent];
}

/** The pool closed before this request could finish: it was never sent, or its retry was not. Retrying later is safe. */
export class PoolClosedError extends Error {
  constructor(
    readonly endpoint: string,
    /** The failure a retry would have answered, when the close came between tries. */
    options?: { cause?: unknown },
  ) {
    super(`The pool for ${endpoint} is closed; the request was not completed`, options);
    this.name = 'PoolClosedError';
  }
}
