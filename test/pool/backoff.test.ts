import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, fullJitterDelayMs, retryDelayMs } from '../../src/pool/backoff.js';
import { RateLimitedError, TransientError } from '../../src/providers/errors.js';

const opts = { baseDelayMs: 500, maxDelayMs: 60_000 };

describe('backoff', () => {
  it('doubles the ceiling per retry and caps it', () => {
    expect([0, 1, 2, 3, 6, 7, 50, 5000].map((a) => backoffCeilingMs(a, opts))).toEqual([
      500, 1000, 2000, 4000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('spreads waits over the whole range below the ceiling (full jitter)', () => {
    expect(fullJitterDelayMs(3, opts, () => 0)).toBe(0);
    expect(fullJitterDelayMs(3, opts, () => 0.5)).toBe(2000);
    expect(fullJitterDelayMs(3, opts, () => 0.999_999)).toBeLessThan(4000);
  });

  it("waits at least a rate limit's retry-after, whatever the attempt", () => {
    const limited = new RateLimitedError('429', 'e', 90_000);
    expect(retryDelayMs(limited, 0, opts, () => 0)).toBe(90_000);
    expect(retryDelayMs(limited, 0, opts, () => 0.999)).toBeLessThan(90_500);
  });

  it('backs off a rate limit without retry-after like any transient failure', () => {
    const limited = new RateLimitedError('429', 'e', undefined);
    expect(retryDelayMs(limited, 2, opts, () => 0.5)).toBe(1000);
    expect(retryDelayMs(new TransientError('503', 'e', 503), 2, opts, () => 0.5)).toBe(1000);
  });
});
