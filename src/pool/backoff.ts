// How long to wait before retrying a failed request.

import { RateLimitedError } from '../providers/errors.js';

export interface BackoffOptions {
  /** Ceiling of the first retry's wait. */
  baseDelayMs: number;
  /** No backoff wait exceeds this (a server's own retry-after may). */
  maxDelayMs: number;
}

/** The upper bound of the wait before retry number `attempt` (0 = first retry): base·2^attempt, capped. */
export function backoffCeilingMs(attempt: number, opts: BackoffOptions): number {
  return Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
}

/**
 * Exponential backoff with full jitter: uniform in [0, ceiling). Spreading retries over the whole range
 * keeps many workers that failed together from retrying together.
 */
export function fullJitterDelayMs(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(attempt, opts));
}

/**
 * The wait before retrying after `error`. When a rate limit came with the server's own wait, we wait at least
 * that long (plus up to one base delay of jitter, so the requests it refused together do not return together);
 * otherwise exponential backoff with full jitter.
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
    return error.retryAfterMs + Math.floor(random() * opts.baseDelayMs);
  }
  return fullJitterDelayMs(attempt, opts, random);
}
