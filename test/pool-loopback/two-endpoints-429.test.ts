import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import type { RateLimitedEvent } from '../../src/pool/pool-events.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { providerFor, settleAll, taskRequest } from './loopback-support.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('two endpoints, one of them answering 429 with retry-after', () => {
  it('finishes every task, waits out the retry-after, and sends the refusing endpoint less work', async () => {
    // "limited" accepts 3 requests per wall-clock second and refuses the rest with `retry-after: 1`.
    const acceptedInSecond = new Map<number, number>();
    const limited = await startFakeServer({
      latencyMs: 20,
      respond: (req) => {
        const second = Math.floor(req.receivedAt / 1000);
        const accepted = acceptedInSecond.get(second) ?? 0;
        if (accepted >= 3) return { status: 429, headers: { 'retry-after': '1' } };
        acceptedInSecond.set(second, accepted + 1);
        return undefined;
      },
    });
    const steady = await startFakeServer({ latencyMs: 100 });
    servers.push(limited, steady);

    const limitedProvider = providerFor(limited.url, 'limited');
    const pool = new MultiEndpointPool(
      [
        { provider: limitedProvider, maxInFlight: 4 },
        { provider: providerFor(steady.url, 'steady'), maxInFlight: 4 },
      ],
      { baseDelayMs: 50, maxDelayMs: 2000 },
    );
    const rateLimited: RateLimitedEvent[] = [];
    const heardAt: number[] = [];
    pool.on('rateLimited', (e) => {
      rateLimited.push(e);
      heardAt.push(Date.now());
    });

    const started = Date.now();
    const { results, failures } = await settleAll(Array.from({ length: 60 }, (_, id) => pool.generate(taskRequest(id))));
    const elapsed = Date.now() - started;

    expect(failures).toEqual([]);
    expect(results).toHaveLength(60);
    const servedBy = (name: string) => results.filter((r) => r.endpoint === name).length;
    expect(servedBy('limited') + servedBy('steady')).toBe(60);
    expect(servedBy('limited')).toBeLessThan(servedBy('steady'));

    // It refused, the pool heard the retry-after and halved that endpoint's concurrency.
    const refusals = limited.requests.filter((r) => r.status === 429);
    expect(refusals.length).toBeGreaterThan(0);
    expect(rateLimited.every((e) => e.endpoint === 'limited' && e.retryAfterMs === 1000)).toBe(true);
    expect(rateLimited.some((e) => e.concurrencyLowered)).toBe(true);

    // Once the pool heard a refusal, it sent that endpoint nothing until the second it asked for had passed.
    rateLimited.forEach((event, i) => {
      const heard = heardAt[i] as number;
      const pausedUntil = event.pausedUntil as number;
      expect(pausedUntil).toBeGreaterThanOrEqual(heard + 1000 - 5);
      expect(limitedProvider.sentAt.filter((t) => t > heard && t < pausedUntil)).toEqual([]);
    });
    expect(pool.stats().map((s) => [s.endpoint, s.succeeded])).toEqual([
      ['limited', servedBy('limited')],
      ['steady', servedBy('steady')],
    ]);
    expect(elapsed).toBeLessThan(20_000);
  });
});
