import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { TransientError } from '../../src/providers/errors.js';
import { after, answer, charTokens, failAfter, requestOf, scriptedEndpoint, track } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const runtime = { countTokens: charTokens, random: () => 0.5 };

describe('MultiEndpointPool routing', () => {
  it('sends each request to the endpoint with the most free slots × weight', async () => {
    const a = scriptedEndpoint('a', () => after(1000, answer('a')));
    const b = scriptedEndpoint('b', () => after(1000, answer('b')));
    const pool = new MultiEndpointPool(
      [
        { provider: a.provider, weight: 2, maxInFlight: 4 },
        { provider: b.provider, weight: 1, maxInFlight: 4 },
      ],
      {},
      runtime,
    );
    // a scores 8, 6, 4 (ties go to the heavier), 2; b scores 4, 3, 2.
    for (let i = 0; i < 6; i++) void pool.generate(requestOf());
    await vi.advanceTimersByTimeAsync(0);
    expect([a.calls.length, b.calls.length]).toEqual([4, 2]);
  });

  it('gives a slow endpoint less work without being told it is slow', async () => {
    const fast = scriptedEndpoint('fast', () => after(100, answer('fast')));
    const slow = scriptedEndpoint('slow', () => after(1000, answer('slow')));
    const pool = new MultiEndpointPool(
      [
        { provider: slow.provider, maxInFlight: 4 },
        { provider: fast.provider, maxInFlight: 4 },
      ],
      {},
      runtime,
    );
    const all = Array.from({ length: 200 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    expect(fast.calls.length).toBeGreaterThan(8 * slow.calls.length);
  });

  it('says in every result which endpoint served it, and counts requests per endpoint', async () => {
    const a = scriptedEndpoint('a', () => after(100, answer('whatever-the-backend-calls-itself')));
    const b = scriptedEndpoint('b', () => after(300, answer('b')));
    const pool = new MultiEndpointPool([{ provider: a.provider }, { provider: b.provider }], {}, runtime);
    const all = Array.from({ length: 40 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(5000);
    const served = all.map((s) => s.value?.endpoint);
    const stats = pool.stats();
    expect(served.filter((e) => e === 'a')).toHaveLength(a.calls.length);
    expect(served.filter((e) => e === 'b')).toHaveLength(b.calls.length);
    expect(stats.map((s) => [s.endpoint, s.requests, s.succeeded])).toEqual([
      ['a', a.calls.length, a.calls.length],
      ['b', b.calls.length, b.calls.length],
    ]);
  });

  it('retries a request that failed on one endpoint on another at once, without waiting out the backoff', async () => {
    const flaky = scriptedEndpoint('flaky', () => failAfter(10, new TransientError('502', 'flaky', 502)));
    const steady = scriptedEndpoint('steady', () => after(50, answer('steady')));
    const pool = new MultiEndpointPool(
      [
        { provider: flaky.provider, weight: 10 },
        { provider: steady.provider, maxInFlight: 1 },
      ],
      { baseDelayMs: 10_000 },
      runtime,
    );
    const retries: unknown[] = [];
    pool.on('retry', (e) => retries.push(e));
    const first = track(pool.generate(requestOf()));
    await vi.advanceTimersByTimeAsync(60);
    expect(first.value?.endpoint).toBe('steady');
    expect(steady.calls[0]?.startedAt).toBe(10);
    expect(retries).toMatchObject([{ endpoint: 'flaky', attempt: 1, delayMs: 5000 }]);
  });

  it('puts retries ahead of first tries', async () => {
    const a = scriptedEndpoint('a', (call) =>
      call.index === 0 ? failAfter(10, new TransientError('503', 'a', 503)) : after(100, answer('a')),
    );
    const pool = new MultiEndpointPool([{ provider: a.provider, maxInFlight: 1 }], { baseDelayMs: 0 }, runtime);
    const failing = requestOf(1);
    void pool.generate(failing);
    for (let i = 0; i < 3; i++) void pool.generate(requestOf(2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.calls.map((c) => c.req.messages[0]?.content.length)).toEqual([1, 1, 2, 2, 2]);
  });
});

describe('MultiEndpointPool options', () => {
  const provider = scriptedEndpoint('a', () => Promise.resolve(answer('a'))).provider;
  const other = scriptedEndpoint('b', () => Promise.resolve(answer('b'))).provider;

  it.each([
    [[], {}, /"endpoints"/],
    [[{ provider }, { provider: other, maxInFlight: 0 }], {}, /"endpoints.1.maxInFlight"/],
    [[{ provider, weight: -1 }], {}, /"endpoints.0.weight"/],
    [[{ provider, tpm: 1.5 }], {}, /"endpoints.0.tpm"/],
    [[{ provider }, { provider }], {}, /two endpoints are named "a"/],
    [[{ provider }], { windowMarginMs: -1 }, /"windowMarginMs"/],
    [[{ provider }], { retries: 3 }, /"retries"/],
  ])('rejects %j / %j naming what is wrong', (endpoints, options, message) => {
    expect(() => new MultiEndpointPool(endpoints as never, options as never)).toThrow(message);
  });
});
