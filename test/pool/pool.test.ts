import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EndpointPool, PoolClosedError, type RetryEvent } from '../../src/pool/pool.js';
import {
  AuthError,
  ContextTooLongError,
  FatalError,
  RateLimitedError,
  TransientError,
} from '../../src/providers/errors.js';
import type { GenerateRequest, GenerateResult, Provider } from '../../src/types.js';

const ENDPOINT = 'http://fake.test/v1';

const request: GenerateRequest = {
  messages: [{ role: 'user', content: 'rewrite this' }],
  model: 'm',
  maxTokens: 64,
  temperature: 0.7,
  n: 1,
};

function result(text = 'ok'): GenerateResult {
  return { candidates: [{ text, finishReason: 'stop' }], usage: null, latencyMs: 1, endpoint: ENDPOINT, model: 'm' };
}

/** A provider whose every call is scripted by `answer`; it records when each call started and how many overlapped. */
function scriptedProvider(answer: (call: number) => Promise<GenerateResult>) {
  const starts: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const provider: Provider = {
    endpoint: ENDPOINT,
    async generate() {
      const call = starts.length;
      starts.push(Date.now());
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await answer(call);
      } finally {
        running--;
      }
    },
  };
  return {
    provider,
    starts,
    get maxRunning() {
      return maxRunning;
    },
  };
}

const after = (ms: number, value = result()) => new Promise<GenerateResult>((resolve) => setTimeout(() => resolve(value), ms));
const transient = () => new TransientError('502 from upstream', ENDPOINT, 502);

/** Settles `promise` without an unhandled rejection while fake time runs, and reports how it settled. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('EndpointPool concurrency', () => {
  it('never has more than `concurrency` requests in flight and reports the rest as pending', async () => {
    const fake = scriptedProvider(() => after(1000));
    const pool = new EndpointPool(fake.provider, { concurrency: 3 });
    const all = Array.from({ length: 10 }, () => track(pool.generate(request)));

    await vi.advanceTimersByTimeAsync(0);
    expect(pool.inFlight).toBe(3);
    expect(pool.pending).toBe(7);

    await vi.advanceTimersByTimeAsync(4000);
    expect(all.every((s) => s.settled && s.value !== undefined)).toBe(true);
    expect(fake.maxRunning).toBe(3);
    expect(fake.starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
    expect(pool.inFlight).toBe(0);
    expect(pool.pending).toBe(0);
  });

  it('onIdle resolves once every request has settled', async () => {
    const fake = scriptedProvider(() => after(500));
    const pool = new EndpointPool(fake.provider, { concurrency: 2 });
    for (let i = 0; i < 4; i++) void pool.generate(request);
    const idle = track(pool.onIdle());
    await vi.advanceTimersByTimeAsync(999);
    expect(idle.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(idle.settled).toBe(true);
  });
});

describe('EndpointPool requests per minute', () => {
  it('starts no more than rpm requests in any 60 s window, spread evenly over it', async () => {
    const fake = scriptedProvider(() => Promise.resolve(result()));
    const pool = new EndpointPool(fake.provider, { rpm: 60, concurrency: 500, windowMarginMs: 0 });
    const all = Array.from({ length: 130 }, () => track(pool.generate(request)));

    await vi.advanceTimersByTimeAsync(59_999);
    expect(fake.starts).toHaveLength(60);
    // One a second, not sixty at once and then a minute of silence: every window a server measures is full.
    expect(fake.starts.slice(0, 5)).toEqual([0, 1000, 2000, 3000, 4000]);
    await vi.advanceTimersByTimeAsync(70_001);
    expect(all.every((s) => s.settled)).toBe(true);

    for (const start of fake.starts) {
      const inWindow = fake.starts.filter((t) => t >= start && t < start + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(60);
      if (start + 60_000 <= 130_000) expect(inWindow).toBe(60);
    }
  });

  it('by default paces over a window a second longer, so travel time cannot carry a request into a full server window', async () => {
    const fake = scriptedProvider(() => Promise.resolve(result()));
    const pool = new EndpointPool(fake.provider, { rpm: 5, concurrency: 50 });
    for (let i = 0; i < 6; i++) void pool.generate(request);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(fake.starts).toEqual([0, 12_200, 24_400, 36_600, 48_800, 61_000]);
  });

  it('paces a steady stream across window boundaries, not just in bursts', async () => {
    const fake = scriptedProvider(() => after(10));
    const pool = new EndpointPool(fake.provider, { rpm: 10, concurrency: 2 });
    // Ten requests spread over the first minute, then twenty more arriving at 61 s.
    for (let i = 0; i < 10; i++) {
      void pool.generate(request);
      await vi.advanceTimersByTimeAsync(6_000);
    }
    for (let i = 0; i < 20; i++) void pool.generate(request);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(fake.starts).toHaveLength(30);
    for (const start of fake.starts) {
      expect(fake.starts.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(10);
    }
  });
});

describe('EndpointPool retries', () => {
  it('waits at least the retry-after the server asked for, and pauses the whole endpoint meanwhile', async () => {
    const fake = scriptedProvider((call) =>
      call === 0 ? Promise.reject(new RateLimitedError('429', ENDPOINT, 5000)) : Promise.resolve(result(`call ${call}`)),
    );
    const pool = new EndpointPool(fake.provider, { concurrency: 4 }, { random: () => 0 });
    const retries: RetryEvent[] = [];
    const rateLimited: unknown[] = [];
    pool.on('retry', (e) => retries.push(e));
    pool.on('rateLimited', (e) => rateLimited.push(e));

    const first = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(100);
    const second = track(pool.generate(request)); // arrives during the pause

    await vi.advanceTimersByTimeAsync(4899);
    expect(fake.starts).toEqual([0]);
    expect(first.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.starts).toEqual([0, 5000, 5000]);
    expect(first.value?.candidates[0]?.text).toMatch(/^call /);
    expect(second.settled).toBe(true);

    expect(retries).toMatchObject([{ endpoint: ENDPOINT, attempt: 1, delayMs: 5000 }]);
    expect(retries[0]?.error).toBeInstanceOf(RateLimitedError);
    expect(rateLimited).toMatchObject([{ retryAfterMs: 5000, pausedUntil: 5000 }]);
  });

  it('backs off exponentially up to maxDelayMs', async () => {
    const fake = scriptedProvider(() => Promise.reject(transient()));
    const pool = new EndpointPool(fake.provider, { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 3000 }, { random: () => 0.999 });
    const delays: number[] = [];
    pool.on('retry', (e) => delays.push(e.delayMs));
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(60_000);

    expect(outcome.error).toBeInstanceOf(TransientError);
    expect(delays).toEqual([499, 999, 1998, 2997, 2997, 2997]);
    // Each retry started exactly after its wait.
    const gaps = fake.starts.slice(1).map((t, i) => t - (fake.starts[i] as number));
    expect(gaps).toEqual(delays);
  });

  it('retries transient failures up to maxRetries, then throws the last one', async () => {
    const errors: TransientError[] = [];
    const fake = scriptedProvider(() => {
      const err = transient();
      errors.push(err);
      return Promise.reject(err);
    });
    const pool = new EndpointPool(fake.provider, { maxRetries: 2 });
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.starts).toHaveLength(3);
    expect(outcome.error).toBe(errors[2]);
  });

  it('returns the answer when a retry succeeds', async () => {
    const fake = scriptedProvider((call) => (call < 2 ? Promise.reject(transient()) : Promise.resolve(result('third time'))));
    const pool = new EndpointPool(fake.provider, {});
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(outcome.value?.candidates[0]?.text).toBe('third time');
  });

  it.each([
    ['AuthError', () => new AuthError('401 from endpoint; check REWORD_API_KEY', ENDPOINT, 401)],
    ['FatalError', () => new FatalError('404 model not found', ENDPOINT, 404)],
    ['ContextTooLongError', () => new ContextTooLongError('context', ENDPOINT, 400)],
    ['a non-provider error', () => new TypeError('bug')],
  ])('throws %s at once without retrying', async (_name, make) => {
    const err = make();
    const fake = scriptedProvider(() => Promise.reject(err));
    const pool = new EndpointPool(fake.provider, {});
    const retries: unknown[] = [];
    pool.on('retry', (e) => retries.push(e));
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.error).toBe(err);
    expect(fake.starts).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('does not hold a concurrency slot while waiting to retry', async () => {
    const fake = scriptedProvider((call) => (call === 0 ? Promise.reject(transient()) : after(100)));
    const pool = new EndpointPool(fake.provider, { concurrency: 1, baseDelayMs: 1000 }, { random: () => 0.5 });
    const failing = track(pool.generate(request));
    const other = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(0);
    // The failed request sleeps 500 ms; the other one runs in the slot meanwhile.
    expect(fake.starts).toEqual([0, 0]);
    expect(pool.inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(other.settled).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(fake.starts).toEqual([0, 0, 500]);
    await vi.advanceTimersByTimeAsync(100);
    expect(failing.value).toBeDefined();
  });
});

describe('EndpointPool stopping', () => {
  it('close lets in-flight requests finish and rejects the ones not yet sent', async () => {
    const fake = scriptedProvider(() => after(1000));
    const pool = new EndpointPool(fake.provider, { concurrency: 2 });
    const all = Array.from({ length: 5 }, () => track(pool.generate(request)));
    await vi.advanceTimersByTimeAsync(10);

    const closed = track(pool.close());
    await vi.advanceTimersByTimeAsync(0);
    expect(all.slice(2).every((s) => s.error instanceof PoolClosedError)).toBe(true);
    expect(closed.settled).toBe(false);

    await vi.advanceTimersByTimeAsync(1000);
    expect(all.slice(0, 2).every((s) => s.value !== undefined)).toBe(true);
    expect(closed.settled).toBe(true);
    expect(fake.starts).toHaveLength(2);
    await expect(pool.generate(request)).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('close stops a request that is waiting to retry', async () => {
    const fake = scriptedProvider(() => Promise.reject(transient()));
    const pool = new EndpointPool(fake.provider, { baseDelayMs: 10_000 }, { random: () => 0.5 });
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(100);
    await pool.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.error).toBeInstanceOf(PoolClosedError);
    expect(fake.starts).toHaveLength(1);
  });

  it('pause holds queued requests until resume', async () => {
    const fake = scriptedProvider(() => Promise.resolve(result()));
    const pool = new EndpointPool(fake.provider, {});
    pool.pause();
    const outcome = track(pool.generate(request));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.starts).toHaveLength(0);
    expect(pool.pending).toBe(1);
    pool.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.value).toBeDefined();
  });

  it("the caller's abort removes a queued request without sending it", async () => {
    const fake = scriptedProvider(() => after(1000));
    const pool = new EndpointPool(fake.provider, { concurrency: 1 });
    void pool.generate(request);
    const controller = new AbortController();
    const queued = track(pool.generate(request, controller.signal));
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('stopped by user');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(queued.error).toBe(reason);
    await vi.advanceTimersByTimeAsync(5000);
    expect(fake.starts).toHaveLength(1);
  });
});

describe('EndpointPool and a run-wide abort signal', () => {
  it('listens to a shared signal once, not once per queued request, and lets go when done', async () => {
    const fake = scriptedProvider(() => after(10));
    const pool = new EndpointPool(fake.provider, { concurrency: 4 });
    const run = new AbortController();
    const all = Array.from({ length: 200 }, () => track(pool.generate(request, run.signal)));
    await vi.advanceTimersByTimeAsync(0);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(all.every((s) => s.value !== undefined)).toBe(true);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('aborting it rejects queued requests and cancels in-flight ones with the same reason', async () => {
    const seenSignals: AbortSignal[] = [];
    const provider: Provider = {
      endpoint: ENDPOINT,
      generate: (req) =>
        new Promise((_resolve, reject) => {
          seenSignals.push(req.signal as AbortSignal);
          req.signal?.addEventListener('abort', () => reject(req.signal?.reason));
        }),
    };
    const pool = new EndpointPool(provider, { concurrency: 2 });
    const run = new AbortController();
    const all = Array.from({ length: 5 }, () => track(pool.generate(request, run.signal)));
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.inFlight).toBe(2);
    const reason = new Error('run stopped');
    run.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(all.map((s) => s.error)).toEqual([reason, reason, reason, reason, reason]);
    expect(seenSignals).toHaveLength(2);
    expect(pool.inFlight).toBe(0);
    await expect(pool.onIdle()).resolves.toBeUndefined();
  });
});

describe('EndpointPool options', () => {
  const provider = scriptedProvider(() => Promise.resolve(result())).provider;

  it('applies the documented defaults', () => {
    expect(new EndpointPool(provider).options).toEqual({
      concurrency: 8,
      maxRetries: 6,
      baseDelayMs: 500,
      maxDelayMs: 60_000,
      rateWindowMs: 60_000,
      windowMarginMs: 1000,
      circuitFailureThreshold: 5,
      circuitCooldownMs: 1000,
      circuitMaxCooldownMs: 30_000,
    });
  });

  it.each([
    [{ concurrency: 0 }, /"concurrency"/],
    [{ rpm: -5 }, /"rpm"/],
    [{ maxRetries: 1.5 }, /"maxRetries"/],
    [{ baseDelayMs: 2000, maxDelayMs: 1000 }, /"maxDelayMs"/],
    [{ concurency: 4 } as object, /"concurency"/],
    [{ tpm: 0 }, /"tpm"/],
    [{ circuitCooldownMs: 5000, circuitMaxCooldownMs: 1000 }, /"circuitMaxCooldownMs"/],
  ])('rejects %o naming the option', (options, message) => {
    expect(() => new EndpointPool(provider, options)).toThrow(message);
  });
});
