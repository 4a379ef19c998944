import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import type { Provider } from '../../src/types.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { providerFor, settleAll, taskRequest } from './loopback-support.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The same provider, deaf to the `x-ratelimit-*` headers: what the pool would do without them. */
function withoutRateLimitHeaders(provider: Provider): Provider {
  return {
    endpoint: provider.endpoint,
    generate: async (req) => {
      const { rateLimit: _ignored, ...result } = await provider.generate(req);
      return result;
    },
  };
}

/** Runs 40 tasks against a server allowing 10 requests per 500 ms that the pool was not told about. */
async function runAgainstHiddenLimit(wrap: (p: Provider) => Provider) {
  const server = await startFakeServer({ latencyMs: 10, limits: { rpm: 10, windowMs: 500 } });
  servers.push(server);
  const pool = new MultiEndpointPool([{ provider: wrap(providerFor(server.url, 'hidden-limit')), maxInFlight: 4 }], {
    baseDelayMs: 20,
    maxDelayMs: 500,
    maxRetries: 20,
  });
  const { results, failures } = await settleAll(Array.from({ length: 40 }, (_, id) => pool.generate(taskRequest(id))));
  return { results, failures, refused: server.limiter?.refused ?? -1, rateLimitedSeen: pool.stats()[0]?.rateLimited };
}

describe('x-ratelimit-remaining headers', () => {
  it('slow an endpoint before the server refuses it', async () => {
    const informed = await runAgainstHiddenLimit((p) => p);
    const deaf = await runAgainstHiddenLimit(withoutRateLimitHeaders);

    expect(informed.failures).toEqual([]);
    expect(deaf.failures).toEqual([]);
    expect(informed.results).toHaveLength(40);
    expect(informed.refused).toBe(informed.rateLimitedSeen);
    // Reading what is left, the pool waits for the reset instead of being refused (a deaf pool learns the
    // limit from 429s, a dozen or more of them here).
    expect(informed.refused).toBeLessThanOrEqual(2);
    expect(deaf.refused).toBeGreaterThan(2 * informed.refused + 4);
  });
});
