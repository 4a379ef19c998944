import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import type { CircuitEvent } from '../../src/pool/pool-events.js';
import { FatalError, TransientError } from '../../src/providers/errors.js';
import { after, answer, charTokens, failAfter, requestOf, scriptedEndpoint, track } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const runtime = { countTokens: charTokens, random: () => 0.5 };
const refused = (endpoint: string) => new TransientError(`${endpoint}: connection failed (ECONNREFUSED)`, endpoint);

/** An endpoint that refuses connections while `down(now)` and answers in 10 ms otherwise. */
function flakyEndpoint(name: string, down: (now: number) => boolean) {
  return scriptedEndpoint(name, (call) => (down(call.startedAt) ? failAfter(5, refused(name)) : after(10, answer(name))));
}

describe('MultiEndpointPool circuit breaking', () => {
  it('opens a dead endpoint’s circuit, sends its work elsewhere, probes it, and closes it when it answers', async () => {
    const dying = flakyEndpoint('dying', (now) => now < 5000);
    const steady = scriptedEndpoint('steady', () => after(100, answer('steady')));
    const pool = new MultiEndpointPool(
      [
        { provider: dying.provider, weight: 10, maxInFlight: 4 },
        { provider: steady.provider, maxInFlight: 2 },
      ],
      {},
      runtime,
    );
    const events: CircuitEvent[] = [];
    pool.on('circuit', (e) => events.push(e));
    const all = Array.from({ length: 300 }, () => track(pool.generate(requestOf())));

    await vi.advanceTimersByTimeAsync(20);
    expect(events).toMatchObject([{ endpoint: 'dying', state: 'open', cooldownMs: 1000 }]);
    expect(pool.stats()[0]?.circuit).toBe('open');

    await vi.advanceTimersByTimeAsync(7500);
    expect(events.map((e) => [e.state, e.cooldownMs])).toEqual([
      ['open', 1000],
      ['open', 2000], // the probe at 1 s failed
      ['open', 4000], // and the one at 3 s
      ['closed', undefined], // the one at 7 s was answered
    ]);
    // It took its four, failed them, took four more (the fifth failure opened it), then waited.
    expect(dying.calls.slice(0, 8).map((c) => c.startedAt)).toEqual([0, 0, 0, 0, 5, 5, 5, 5]);
    // While open it got one probe per cool-down and nothing else; the other endpoint kept working.
    const probes = dying.calls.filter((c) => c.startedAt > 20 && c.startedAt < 7000);
    expect(probes.map((c) => c.startedAt)).toEqual([1010, 3015]);
    expect(steady.calls.filter((c) => c.startedAt > 20 && c.startedAt < 7000).length).toBeGreaterThan(100);

    await vi.advanceTimersByTimeAsync(5000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    expect(dying.calls.filter((c) => c.startedAt >= 7000).length).toBeGreaterThan(20);
    expect(pool.stats()[0]?.circuit).toBe('closed');
  });

  it('with every circuit open, holds requests until the probe gets through instead of failing them', async () => {
    const only = flakyEndpoint('only', (now) => now < 3000);
    const pool = new MultiEndpointPool([{ provider: only.provider, maxInFlight: 8 }], {}, runtime);
    const all = Array.from({ length: 10 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(4000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    // Eight failed together, the other two took their slots and failed too (opening the circuit); after
    // that only probes went out until one was answered at 3 s.
    expect(only.calls.filter((c) => c.startedAt < 3000).map((c) => c.startedAt)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 1005]);
    expect(only.calls[11]?.startedAt).toBe(3010);
  });

  it('fails waiting requests once a backend that stays down has used up their retries', async () => {
    const dead = flakyEndpoint('dead', () => true);
    const pool = new MultiEndpointPool([{ provider: dead.provider, maxInFlight: 8 }], { maxRetries: 3 }, runtime);
    const all = Array.from({ length: 30 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(all.every((s) => s.error instanceof TransientError)).toBe(true);
    // Those failed while waiting say so, rather than carry another request's error as their own.
    const waitedOut = all.filter((s) => /circuit stayed open after repeated failures \(the last: /.test((s.error as Error).message));
    expect(waitedOut.length).toBeGreaterThan(0);
    // Eight tries, four more in the slots the first four failures freed (the fifth opened the circuit), then
    // only probes, further and further apart.
    expect(dead.calls.slice(8, 12).map((c) => c.startedAt)).toEqual([5, 5, 5, 5]);
    expect(dead.calls.slice(12).map((c) => c.startedAt)).toEqual([1005, 3010, 7015]);
    expect(pool.pending).toBe(0);
  });

  it('counts a refusal such as a 404 as a sign of life, not of a dead endpoint', async () => {
    const a = scriptedEndpoint('a', () => failAfter(5, new FatalError('404 model not found', 'a', 404)));
    const pool = new MultiEndpointPool([{ provider: a.provider }], {}, runtime);
    const events: CircuitEvent[] = [];
    pool.on('circuit', (e) => events.push(e));
    const all = Array.from({ length: 20 }, () => track(pool.generate(requestOf())));
    await vi.advanceTimersByTimeAsync(100);
    expect(all.every((s) => s.error instanceof FatalError)).toBe(true);
    expect(events).toEqual([]);
    expect(pool.stats()[0]).toMatchObject({ circuit: 'closed', errors: 20, requests: 20 });
  });
});

describe('MultiEndpointPool cost', () => {
  it('prices each endpoint’s reported usage, and estimates it from the text when none was reported', async () => {
    const priced = scriptedEndpoint('priced', () => after(10, answer('priced', { promptTokens: 1000, completionTokens: 500 })));
    const silent = scriptedEndpoint('silent', () => after(10, answer('silent', null, 'y'.repeat(40))));
    const pool = new MultiEndpointPool(
      [
        { provider: priced.provider, maxInFlight: 4, pricePerMillionInput: 1, pricePerMillionOutput: 2 },
        { provider: silent.provider, maxInFlight: 1, pricePerMillionInput: 1000, pricePerMillionOutput: 1000 },
      ],
      {},
      runtime,
    );
    for (let i = 0; i < 5; i++) void pool.generate(requestOf(93));
    await vi.advanceTimersByTimeAsync(100);
    const [a, b] = pool.stats();
    expect(a).toMatchObject({ requests: 4, promptTokens: 4000, completionTokens: 2000 });
    expect(a?.costUsd).toBeCloseTo(4 * (1000 * 1 + 500 * 2) / 1e6, 12);
    // 100 prompt tokens estimated for the request, 40 for the answer's text.
    expect(b).toMatchObject({ requests: 1, promptTokens: 100, completionTokens: 40 });
    expect(b?.costUsd).toBeCloseTo(0.14, 12);
    expect(pool.costUsd).toBeCloseTo(0.148, 12);
  });
});
