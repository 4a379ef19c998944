// The pool against servers that keep their own limits and report what is left in `x-ratelimit-*` headers, in
// fake time: a minute-long sliding window as the benchmark's server keeps it, and a token bucket refilled
// continuously as OpenAI describes its limits.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { RateLimitedError } from '../../src/providers/errors.js';
import { rateLimitStatusFromHeaders } from '../../src/providers/rate-limit-headers.js';
import type { RateLimitStatus } from '../../src/types.js';
import { ServerRateLimiter, type LimitDecision } from '../support/server-rate-limits.js';
import { after, answer, charTokens, failAfter, requestOf, scriptedEndpoint, windowSums, type Call } from './scripted-endpoint.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const MINUTE = 60_000;
const RPM = 600;
const TPM = 200_000;
// Like the benchmark's requests: a prompt of 307 tokens, max_tokens 3000, answers of 80 tokens. The pool
// reserves 3307 tokens a request until the usage says 387, so tokens bind (517 requests a minute), not requests.
// A loopback server answers at once; at seconds of latency the reservations of requests in flight hold back
// more of the budget (a server like OpenAI's, which counts max_tokens as it admits a request, holds it too).
const PROMPT_CHARS = 300;
const MAX_TOKENS = 3000;
const COMPLETION_TOKENS = 80;
const LATENCY_MS = 10;

/** A server's limits: admits a request of `tokens` arriving at `now`, or refuses it, with headers either way. */
type ServerLimits = (tokens: number, now: number) => LimitDecision;

/** A token bucket per limit, full at the start, refilled at limit per minute; OpenAI's headers on every answer. */
function tokenBucketServer(rpm: number, tpm: number): ServerLimits {
  const buckets = [
    { limit: rpm, level: rpm, name: 'requests' },
    { limit: tpm, level: tpm, name: 'tokens' },
  ];
  let last = 0;
  return (tokens, now) => {
    for (const b of buckets) b.level = Math.min(b.limit, b.level + ((now - last) * b.limit) / MINUTE);
    last = now;
    const costs = [1, tokens];
    const fits = buckets.every((b, i) => b.level >= (costs[i] as number));
    if (fits) buckets.forEach((b, i) => (b.level -= costs[i] as number));
    const headers: Record<string, string> = {};
    for (const b of buckets) {
      headers[`x-ratelimit-limit-${b.name}`] = String(b.limit);
      headers[`x-ratelimit-remaining-${b.name}`] = String(Math.floor(b.level));
      headers[`x-ratelimit-reset-${b.name}`] = `${Math.ceil(((b.limit - b.level) * MINUTE) / b.limit)}ms`;
    }
    return fits ? { accepted: true, headers } : { accepted: false, retryAfterMs: 1000, headers };
  };
}

function slidingWindowServer(rpm: number, tpm: number): ServerLimits & { limiter: ServerRateLimiter } {
  const limiter = new ServerRateLimiter({ rpm, tpm, windowMs: MINUTE });
  return Object.assign((tokens: number, now: number) => limiter.admit(tokens, now), { limiter });
}

/** Runs `minutes` of more work than the limits allow through a pool told `told`; returns what the server accepted. */
async function runAgainst(server: ServerLimits, told: { rpm: number; tpm: number }, minutes: number) {
  const accepted: Array<{ at: number; tokens: number }> = [];
  let refused = 0;
  const endpoint = scriptedEndpoint('a', (call: Call) => {
    const usage = { promptTokens: PROMPT_CHARS + 7, completionTokens: COMPLETION_TOKENS };
    const tokens = usage.promptTokens + usage.completionTokens;
    const decision = server(tokens, call.startedAt);
    const rateLimit = rateLimitStatusFromHeaders(new Headers(decision.headers)) as RateLimitStatus;
    if (!decision.accepted) {
      refused++;
      return failAfter(LATENCY_MS, new RateLimitedError('429', 'a', decision.retryAfterMs));
    }
    accepted.push({ at: call.startedAt, tokens });
    return after(LATENCY_MS, { ...answer('a', usage), rateLimit });
  });
  const pool = new MultiEndpointPool([{ provider: endpoint.provider, maxInFlight: 16, ...told }], { maxRetries: 20 }, {
    countTokens: charTokens,
    random: () => 0.5,
  });
  for (let i = 0; i < minutes * RPM; i++) void pool.generate(requestOf(PROMPT_CHARS, MAX_TOKENS)).catch(() => undefined);
  await vi.advanceTimersByTimeAsync(minutes * MINUTE);
  void pool.close();
  await vi.advanceTimersByTimeAsync(LATENCY_MS);
  const times = accepted.map((a) => a.at);
  const tokens = accepted.map((a) => a.tokens);
  const requests = accepted.map(() => 1);
  return {
    refused,
    times,
    tokens,
    /** Per accepted request, the tokens and requests of the window starting there. */
    tokenWindows: windowSums(times, tokens, MINUTE),
    requestWindows: windowSums(times, requests, MINUTE),
    /** Whole windows inside the run, one starting at each accepted request. */
    whole: (sums: number[]) => sums.filter((_s, i) => (times[i] as number) + MINUTE <= minutes * MINUTE),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('MultiEndpointPool against a server reporting its budget in x-ratelimit-* headers', () => {
  it('keeps a sliding-window server told the same limits above 95% of its tokens, never past them', async () => {
    const server = slidingWindowServer(RPM, TPM);
    const run = await runAgainst(server, { rpm: RPM, tpm: TPM }, 5);

    expect(run.refused).toBe(0);
    expect(Math.max(...run.tokenWindows)).toBeLessThanOrEqual(TPM);
    expect(Math.max(...run.requestWindows)).toBeLessThanOrEqual(RPM);
    const whole = run.whole(run.tokenWindows);
    expect(whole.length).toBeGreaterThan(1000);
    // Reading "0 left, whole in 60 s" as closed for 60 s, the pool filled a window and then sat one out: 0.5.
    expect(mean(whole) / TPM).toBeGreaterThan(0.95);
    expect(Math.min(...whole) / TPM).toBeGreaterThan(0.9);
  });

  it('keeps to a sliding-window server’s lower limits from its headers alone, and near them', async () => {
    const server = slidingWindowServer(RPM / 2, TPM / 2);
    const run = await runAgainst(server, { rpm: RPM, tpm: TPM }, 5);

    expect(run.refused).toBe(0);
    expect(Math.max(...run.tokenWindows)).toBeLessThanOrEqual(TPM / 2);
    // The ceiling is about 95%: room for the next reservation (3% of this budget) is kept free, and our
    // requests are taken to leave the server's window the 1 s margin after they leave it.
    const whole = run.whole(run.tokenWindows);
    expect(mean(whole) / (TPM / 2)).toBeGreaterThan(0.92);
  });

  it('keeps to a token bucket’s lower limits from its headers alone, taking its refill as it comes', async () => {
    const server = tokenBucketServer(RPM / 2, TPM / 2);
    const run = await runAgainst(server, { rpm: RPM, tpm: TPM }, 5);

    expect(run.refused).toBe(0);
    // The bucket starts full, then refills TPM / 2 a minute: after the first minute that is all there is.
    const refilled = run.times.reduce((sum, at, i) => (at >= MINUTE ? sum + (run.tokens[i] as number) : sum), 0);
    expect(refilled / ((4 * TPM) / 2)).toBeGreaterThan(0.95);
  });
});
