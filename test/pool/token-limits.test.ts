import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { after, answer, charTokens, requestOf, scriptedEndpoint, track, windowSums } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const runtime = { countTokens: charTokens, random: () => 0.5 };

describe('MultiEndpointPool tokens per minute', () => {
  it('reserves prompt + max_tokens × n before sending, then settles to the reported usage and paces by it', async () => {
    const a = scriptedEndpoint('a', () => after(1000, answer('a', { promptTokens: 100, completionTokens: 20 })));
    const pool = new MultiEndpointPool([{ provider: a.provider, tpm: 1000 }], { windowMarginMs: 0 }, runtime);
    // 93 characters + 4 per message + 3 for the reply = 100 prompt tokens; 2 candidates of up to 100 tokens.
    for (let i = 0; i < 3; i++) void pool.generate(requestOf(93, 100, 2));

    await vi.advanceTimersByTimeAsync(0);
    expect(pool.stats()[0]?.windowTokens).toBe(300);
    await vi.advanceTimersByTimeAsync(1000);
    expect(pool.stats()[0]?.windowTokens).toBe(120);
    // 1000 tokens a minute is 60 ms a token: the next request may start once the 120 used are paid for.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(a.calls.map((c) => c.startedAt)).toEqual([0, 7200, 14_400]);
  });

  it('keeps the reservation when the server reports no usage', async () => {
    const a = scriptedEndpoint('a', () => after(10, answer('a', null)));
    const pool = new MultiEndpointPool([{ provider: a.provider, tpm: 10_000 }], {}, runtime);
    const done = track(pool.generate(requestOf(93, 100, 1)));
    await vi.advanceTimersByTimeAsync(10);
    expect(done.value?.usage).toBeNull();
    expect(pool.stats()[0]?.windowTokens).toBe(200);
  });

  it('never lets a long prompt be overtaken for good by short ones slipping into the room it waits for', async () => {
    const a = scriptedEndpoint('a', () => after(10, answer('a', null)));
    const pool = new MultiEndpointPool([{ provider: a.provider, tpm: 1000, maxInFlight: 50 }], { windowMarginMs: 0 }, runtime);
    void pool.generate(requestOf(893, 0)); // 900 tokens
    void pool.generate(requestOf(893, 0)); // 900 more: must wait for the first to leave the window
    for (let i = 0; i < 10; i++) void pool.generate(requestOf(43, 0)); // 50 each: would fit beside the first
    await vi.advanceTimersByTimeAsync(120_000);
    const sizes = a.calls.map((c) => c.req.messages[0]?.content.length);
    expect(sizes.slice(0, 2)).toEqual([893, 893]);
    expect(a.calls[1]?.startedAt).toBe(60_000);
  });

  it.each<[string, { rpm?: number; tpm: number }]>([
    ['tokens', { tpm: 20_000 }],
    ['requests', { rpm: 90, tpm: 1_000_000 }],
  ])(
    'over four minutes of steady work keeps every 60 s window of %s at or under the limit and above 95% of it',
    async (_what, limits) => {
      // Prompts of 100–300 tokens, answers of 0–100 tokens (max_tokens 100), 400 ms per request.
      let seed = 7;
      const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
      const a = scriptedEndpoint('a', (call) => {
        const prompt = call.req.messages[0]?.content.length ?? 0;
        return after(400, answer('a', { promptTokens: prompt + 7, completionTokens: Math.floor(random() * 100) }));
      });
      const pool = new MultiEndpointPool([{ provider: a.provider, maxInFlight: 16, ...limits }], {}, runtime);
      for (let i = 0; i < 3000; i++) void pool.generate(requestOf(100 + Math.floor(random() * 200), 100)).catch(() => undefined);
      const minutes = 4;
      await vi.advanceTimersByTimeAsync(minutes * 60_000);
      void pool.close();
      await vi.advanceTimersByTimeAsync(1000);

      const times = a.calls.map((c) => c.startedAt);
      const used = a.calls.map((c) => (limits.rpm ? 1 : (c.usage?.promptTokens ?? 0) + (c.usage?.completionTokens ?? 0)));
      const limit = limits.rpm ?? limits.tpm;
      const sums = windowSums(times, used, 60_000);
      expect(Math.max(...sums)).toBeLessThanOrEqual(limit);
      // Every full window inside the run, wherever it starts.
      const full = sums.filter((_s, i) => (times[i] as number) + 60_000 <= minutes * 60_000);
      expect(full.length).toBeGreaterThan(100);
      expect(Math.min(...full)).toBeGreaterThanOrEqual(0.95 * limit);
    },
  );
});
