import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { countTokens } from '../../src/tokens.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { providerFor, settleAll, taskRequest } from './loopback-support.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const WORDS = 'the river carried silt from the northern hills into a wide delta where farmers planted rice each spring and merchants traded salt'.split(' ');

/** A long prompt of about `words` words of plain prose. */
function longPrompt(words: number, seed: number): string {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x = (x * 48_271) % 2_147_483_647;
    out.push(WORDS[x % WORDS.length] as string);
    if (i % 12 === 11) out.push('.');
  }
  return out.join(' ');
}

describe('TPM pressure with long prompts', () => {
  it('never sends more tokens than the limit in any window the server measures, and keeps it busy', async () => {
    const windowMs = 1000;
    const tpm = 40_000;
    // The server counts tokens as the model would (cl100k), keeps the same limit and would answer 429 past it.
    const server = await startFakeServer({ latencyMs: 30, limits: { tpm, windowMs }, countTokens });
    servers.push(server);
    const pool = new MultiEndpointPool(
      [{ provider: providerFor(server.url, 'tpm-bound'), maxInFlight: 8, tpm }],
      // A one-second "minute", with 50 ms for the trip to the server.
      { rateWindowMs: windowMs, windowMarginMs: 50 },
    );
    // 160 prompts of 300–1000 tokens, each up to 2.5% of the window's budget, built and counted before the
    // first is sent, as the engine does (it passes the chunk's count). Counting them inside the submitting loop
    // would hold the event loop for some 80 ms while the first requests are booked as sent: they would reach
    // the server later than this test's 50 ms margin allows, and leave our window before they leave its.
    const requests = Array.from({ length: 160 }, (_, id) => {
      const request = taskRequest(id, longPrompt(300 + ((id * 617) % 700), id + 1));
      return { ...request, contentTokens: countTokens(request.messages[0]!.content) };
    });
    const tasks = requests.map((request) => pool.generate(request));
    const { results, failures } = await settleAll(tasks);

    expect(failures).toEqual([]);
    expect(results).toHaveLength(160);
    expect(server.limiter?.refused).toBe(0);
    expect(server.limiter?.peaks.tokens).toBeLessThanOrEqual(tpm);

    // The same, from the server's own records: every window ending at an arrival holds at most the limit.
    const accepted = server.requests.filter((r) => r.status === 200);
    const tokensOf = (r: (typeof accepted)[number]) => (r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0);
    for (const end of accepted) {
      const inWindow = accepted.filter((r) => r.receivedAt > end.receivedAt - windowMs && r.receivedAt <= end.receivedAt);
      expect(inWindow.reduce((sum, r) => sum + tokensOf(r), 0)).toBeLessThanOrEqual(tpm);
    }
    // Busy, not just safe. The ceiling here is about 93% (the pool paces over 1050 ms and keeps room in the
    // window for the next reservation), and a quiet machine gets 85–90%; but real time on a shared 2-core
    // machine is noisy, so this only catches a pool that idles. The >95% claim is held with fake timers in
    // test/pool/token-limits.test.ts, and by the benchmark.
    const first = accepted[0]?.receivedAt ?? 0;
    const last = accepted.at(-1)?.receivedAt ?? 0;
    const fills: number[] = [];
    for (let end = first + windowMs; end <= last; end += 10) {
      const inWindow = accepted.filter((r) => r.receivedAt > end - windowMs && r.receivedAt <= end);
      fills.push(inWindow.reduce((sum, r) => sum + tokensOf(r), 0) / tpm);
    }
    expect(fills.length).toBeGreaterThan(100);
    expect(fills.reduce((a, b) => a + b, 0) / fills.length).toBeGreaterThan(0.3);
  });
});
