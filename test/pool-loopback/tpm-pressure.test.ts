import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { providerFor, settleAll, taskRequest } from './loopback-support.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * A long prompt of `chars` characters. Numbers, because the fake server counts a token per four characters
 * and cl100k_base counts more for digits than that, so the pool's up-front estimate is not below the server's.
 */
function longPrompt(chars: number, seed: number): string {
  let x = seed;
  const words: string[] = [];
  for (let length = 0; length < chars; length += 6) {
    x = (x * 48_271) % 2_147_483_647;
    words.push(String(10_000 + (x % 90_000)));
  }
  return words.join(' ').slice(0, chars);
}

describe('TPM pressure with long prompts', () => {
  it('never sends more tokens than the limit in any window the server measures, and keeps it busy', async () => {
    const windowMs = 1000;
    const tpm = 8000;
    // The server keeps the same limit and would answer 429 past it.
    const server = await startFakeServer({ latencyMs: 30, limits: { tpm, windowMs } });
    servers.push(server);
    const pool = new MultiEndpointPool(
      [{ provider: providerFor(server.url, 'tpm-bound'), maxInFlight: 8, tpm }],
      // A one-second "minute", with 50 ms for the trip to the server.
      { rateWindowMs: windowMs, windowMarginMs: 50 },
    );
    // 40 prompts of 1200–3600 characters: 300–900 tokens each, up to 11% of the window's budget.
    const tasks = Array.from({ length: 40 }, (_, id) => pool.generate(taskRequest(id, longPrompt(1200 + ((id * 617) % 2400), id + 1))));
    const { results, failures } = await settleAll(tasks);

    expect(failures).toEqual([]);
    expect(results).toHaveLength(40);
    expect(server.limiter?.refused).toBe(0);
    expect(server.limiter?.peaks.tokens).toBeLessThanOrEqual(tpm);

    // The same, from the server's own records: every window ending at an arrival holds at most the limit.
    const accepted = server.requests.filter((r) => r.status === 200);
    const tokensOf = (r: (typeof accepted)[number]) => (r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0);
    for (const end of accepted) {
      const inWindow = accepted.filter((r) => r.receivedAt > end.receivedAt - windowMs && r.receivedAt <= end.receivedAt);
      expect(inWindow.reduce((sum, r) => sum + tokensOf(r), 0)).toBeLessThanOrEqual(tpm);
    }
    // Busy, not just safe: the windows that lie wholly inside the run are nearly full. (Each prompt is up to
    // 11% of the budget, so a window can fall short by about one prompt.)
    const first = accepted[0]?.receivedAt ?? 0;
    const last = accepted.at(-1)?.receivedAt ?? 0;
    const fills: number[] = [];
    for (let end = first + windowMs; end <= last; end += 10) {
      const inWindow = accepted.filter((r) => r.receivedAt > end - windowMs && r.receivedAt <= end);
      fills.push(inWindow.reduce((sum, r) => sum + tokensOf(r), 0) / tpm);
    }
    const meanFill = fills.reduce((a, b) => a + b, 0) / fills.length;
    console.log('DBG', { meanFill, min: Math.min(...fills), n: fills.length, stats: pool.stats()[0] });
    expect(fills.length).toBeGreaterThan(100);
    expect(meanFill).toBeGreaterThan(0.85);
  });
});
