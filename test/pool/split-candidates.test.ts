import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { estimateRequestTokens, requestCost } from '../../src/pool/request-tokens.js';
import type { Provider } from '../../src/types.js';
import { after, answer, charTokens, requestOf, scriptedEndpoint } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const runtime = { countTokens: charTokens, random: () => 0.5 };

/** `provider`, declaring that it sends one request per candidate (as the Hugging Face provider does). */
function onePerCandidate(provider: Provider): Provider {
  return { endpoint: provider.endpoint, generate: (req) => provider.generate(req), requestsPerGenerate: (n) => n };
}

describe('requestCost', () => {
  const tokens = estimateRequestTokens(requestOf(93, 100, 4), charTokens); // 100 prompt tokens, 4 × 100 answer tokens

  it('counts one request, one prompt and every candidate’s max_tokens when the backend takes n', () => {
    expect(requestCost(tokens, undefined)).toEqual({ requests: 1, tokens: 100 + 400 });
  });

  it('counts a request and a prompt per candidate when the provider sends one request per candidate', () => {
    expect(requestCost(tokens, (n) => n)).toEqual({ requests: 4, tokens: 4 * 100 + 400 });
  });

  it('reads a nonsensical declaration as one request', () => {
    expect(requestCost(tokens, () => 0)).toEqual({ requests: 1, tokens: 500 });
    expect(requestCost(tokens, () => Number.NaN)).toEqual({ requests: 1, tokens: 500 });
  });
});

describe('MultiEndpointPool with a provider that cannot draw n candidates in one request', () => {
  it('counts each candidate’s request against RPM', async () => {
    const split = scriptedEndpoint('split', () => after(10, answer('split')));
    const whole = scriptedEndpoint('whole', () => after(10, answer('whole')));
    const splitPool = new MultiEndpointPool([{ provider: onePerCandidate(split.provider), rpm: 8 }], { windowMarginMs: 0 }, runtime);
    const wholePool = new MultiEndpointPool([{ provider: whole.provider, rpm: 8 }], { windowMarginMs: 0 }, runtime);
    for (let i = 0; i < 4; i++) {
      void splitPool.generate(requestOf(10, 64, 4));
      void wholePool.generate(requestOf(10, 64, 4));
    }
    await vi.advanceTimersByTimeAsync(59_000);
    // 8 requests a minute: two generates of 4 candidates each, against all four when one request draws 4.
    expect(split.calls).toHaveLength(2);
    expect(splitPool.stats()[0]?.windowRequests).toBe(8);
    expect(whole.calls).toHaveLength(4);
    // Paced evenly, 7.5 s a request: a generate of 4 every 30 s.
    await vi.advanceTimersByTimeAsync(61_000);
    expect(split.calls.map((c) => c.startedAt)).toEqual([0, 30_000, 60_000, 90_000]);
  });

  it('reserves the prompt once per request against TPM, and settles to the usage the requests add up to', async () => {
    const split = scriptedEndpoint('split', () => after(1000, answer('split', { promptTokens: 4 * 17, completionTokens: 40 })));
    const pool = new MultiEndpointPool([{ provider: onePerCandidate(split.provider), tpm: 10_000 }], {}, runtime);
    void pool.generate(requestOf(10, 64, 4)); // a prompt of 17 tokens, 4 candidates of up to 64
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.stats()[0]?.windowTokens).toBe(4 * 17 + 4 * 64);
    await vi.advanceTimersByTimeAsync(1000);
    expect(pool.stats()[0]).toMatchObject({ windowTokens: 4 * 17 + 40, promptTokens: 4 * 17, succeeded: 1 });
  });
});
