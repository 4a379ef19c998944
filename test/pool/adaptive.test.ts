import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import type { RateLimitedEvent } from '../../src/pool/pool-events.js';
import { RateLimitedError } from '../../src/providers/errors.js';
import { after, answer, charTokens, failAfter, requestOf, scriptedEndpoint, track } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const runtime = { countTokens: charTokens, random: () => 0 };

describe('MultiEndpointPool adaptive concurrency', () => {
  it('halves an endpoint’s concurrency once for a burst of 429s, then wins it back with successes', async () => {
    // The server refuses everything that arrives in its first second, asking for a 1 s wait.
    const a = scriptedEndpoint('a', (call) =>
      call.startedAt < 1000 ? failAfter(10, new RateLimitedError('429', 'a', 1000)) : after(100, answer('a')),
    );
    const pool = new MultiEndpointPool([{ provider: a.provider, maxInFlight: 8 }], {}, runtime);
    const events: RateLimitedEvent[] = [];
    pool.on('rateLimited', (e) => events.push(e));
    const all = Array.from({ length: 200 }, () => track(pool.generate(requestOf())));

    await vi.advanceTimersByTimeAsync(10);
    expect(events).toHaveLength(8);
    expect(events.filter((e) => e.concurrencyLowered)).toHaveLength(1);
    expect(events.map((e) => e.concurrency)).toEqual(Array(8).fill(4));
    expect(events[0]?.pausedUntil).toBe(1010);

    // Nothing is sent during the pause; then at most 4 at once, growing by one per 4 successes, 5, 6, …
    await vi.advanceTimersByTimeAsync(999);
    expect(a.calls).toHaveLength(8);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.running).toBe(4);
    await vi.advanceTimersByTimeAsync(100);
    expect(pool.stats()[0]?.concurrency).toBe(5);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    expect(pool.stats()[0]).toMatchObject({ concurrency: 8, rateLimited: 8, succeeded: 200, requests: 208 });
  });

  it('lowers concurrency again when requests sent under the lower limit are refused too', async () => {
    const a = scriptedEndpoint('a', () => failAfter(10, new RateLimitedError('429', 'a', 100)));
    const pool = new MultiEndpointPool([{ provider: a.provider, maxInFlight: 16 }], { maxRetries: 2 }, runtime);
    const concurrency: number[] = [];
    pool.on('rateLimited', (e) => e.concurrencyLowered && concurrency.push(e.concurrency));
    const all = Array.from({ length: 16 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(20_000);
    // One halving per generation of requests: the first 16, then the 8, 4 and 2 sent after each decrease.
    expect(concurrency).toEqual([8, 4, 2, 1]);
    expect(all.every((s) => s.error instanceof RateLimitedError)).toBe(true);
  });

  it('sends the next request to another endpoint while one waits out its retry-after', async () => {
    const limited = scriptedEndpoint('limited', (call) =>
      call.index === 0 ? failAfter(10, new RateLimitedError('429', 'limited', 30_000)) : after(10, answer('limited')),
    );
    const other = scriptedEndpoint('other', () => after(50, answer('other')));
    const pool = new MultiEndpointPool(
      [
        { provider: limited.provider, weight: 100 },
        { provider: other.provider, maxInFlight: 2 },
      ],
      {},
      runtime,
    );
    const first = track(pool.generate(requestOf()));
    await vi.advanceTimersByTimeAsync(10);
    const more = Array.from({ length: 10 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(1000);
    expect(first.value?.endpoint).toBe('other');
    expect(more.every((s) => s.value?.endpoint === 'other')).toBe(true);
    expect(limited.calls).toHaveLength(1);
    expect(pool.stats()[0]).toMatchObject({ circuit: 'closed', pausedUntil: 30_010 });
  });

  it('slows down when x-ratelimit-remaining says the server’s budget is running out, before any 429', async () => {
    // A server allowing 5 requests per fixed 10 s window, reporting what is left with every answer.
    let refused = 0;
    const a = scriptedEndpoint('a', (call) => {
      const windowStart = Math.floor(call.startedAt / 10_000) * 10_000;
      const used = scriptedCalls.filter((c) => c.startedAt >= windowStart).length;
      if (used > 5) {
        refused++;
        return failAfter(10, new RateLimitedError('429', 'a', windowStart + 10_000 - call.startedAt));
      }
      const rateLimit = { remainingRequests: 5 - used, resetRequestsMs: windowStart + 10_000 - call.startedAt };
      return after(100, { ...answer('a'), rateLimit });
    });
    const scriptedCalls = a.calls;
    const pool = new MultiEndpointPool([{ provider: a.provider, maxInFlight: 2 }], {}, runtime);
    const all = Array.from({ length: 12 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    expect(refused).toBe(0);
    expect(a.calls.map((c) => Math.floor(c.startedAt / 10_000))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
  });
});
