// One endpoint's request pool: caps concurrency, paces starts to the endpoint's requests-per-minute,
// retries what another try can fix, and stops cleanly.
//
// The pool branches on the provider error types only: RateLimitedError and TransientError are retried,
// everything else (Fatal, Auth, ContextTooLong, aborts) goes straight back to the caller.

import { EventEmitter, setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { z } from 'zod';
import { RateLimitedError, TransientError, type ProviderError } from '../providers/errors.js';
import type { GenerateRequest, GenerateResult, Provider } from '../types.js';
import { AbortFanout } from './abort-fanout.js';
import { retryDelayMs } from './backoff.js';
import { RateBucket } from './rate-bucket.js';
import { sleep } from './sleep.js';

const poolOptionsSchema = z
  .strictObject({
    /** Requests in flight at once. Default 8. */
    concurrency: z.number().int().min(1).default(8),
    /** Requests started in any 60 s window; undefined = unlimited. */
    rpm: z.number().int().min(1).optional(),
    /** Retries after the first try, for rate limits and transient failures. Default 6. */
    maxRetries: z.number().int().min(0).default(6),
    /** Ceiling of the first backoff wait. Default 500 ms. */
    baseDelayMs: z.number().min(0).default(500),
    /** Cap of any backoff wait (a server's retry-after may exceed it). Default 60 000 ms. */
    maxDelayMs: z.number().min(0).default(60_000),
  })
  .refine((o) => o.maxDelayMs >= o.baseDelayMs, {
    path: ['maxDelayMs'],
    message: 'must be at least baseDelayMs',
  });

export type PoolOptions = z.output<typeof poolOptionsSchema>;

/** Seams for tests and simulations. */
export interface PoolRuntime {
  /** Wall clock in ms; default Date.now (which vitest fake timers control). */
  now?: () => number;
  /** Uniform in [0, 1) for backoff jitter; default Math.random. */
  random?: () => number;
}

export interface RetryEvent {
  endpoint: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: ProviderError;
}

export interface RateLimitedEvent {
  endpoint: string;
  /** What the server asked for; undefined when it did not say. */
  retryAfterMs: number | undefined;
  /** No new request starts before this time (ms since epoch); undefined when the server gave no wait. */
  pausedUntil: number | undefined;
  error: RateLimitedError;
}

export interface PoolEvents {
  retry: [RetryEvent];
  rateLimited: [RateLimitedEvent];
}

/** The pool closed before this request could finish: it was never sent, or its retry was not. Retrying later is safe. */
export class PoolClosedError extends Error {
  constructor(
    readonly endpoint: string,
    /** The failure a retry would have answered, when the close came between tries. */
    options?: { cause?: unknown },
  ) {
    super(`The pool for ${endpoint} is closed; the request was not completed`, options);
    this.name = 'PoolClosedError';
  }
}

function isRetryable(error: unknown): error is RateLimitedError | TransientError {
  return error instanceof RateLimitedError || error instanceof TransientError;
}

export class EndpointPool extends EventEmitter<PoolEvents> {
  readonly options: Readonly<PoolOptions>;
  readonly endpoint: string;
  readonly #provider: Provider;
  readonly #queue: PQueue;
  readonly #rpm: RateBucket | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  /** A 429 with a wait pauses the whole endpoint: every other request would be refused too. */
  #pausedUntil = 0;
  #inFlight = 0;
  #outstanding = 0;
  #idleWaiters: Array<() => void> = [];
  /** Requests queued or waiting for a start slot; closing cancels these, never ones already sent. */
  readonly #notStarted = new Set<AbortController>();
  readonly #closing = new AbortController();
  readonly #callerSignals = new AbortFanout();
  #closed: Promise<void> | undefined;

  constructor(provider: Provider, options: Partial<PoolOptions> = {}, runtime: PoolRuntime = {}) {
    super();
    const parsed = poolOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const name = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '?');
      throw new RangeError(`Invalid pool option "${name}": ${issue?.message ?? 'invalid'}`);
    }
    this.options = Object.freeze(parsed.data);
    this.endpoint = provider.endpoint;
    this.#provider = provider;
    this.#queue = new PQueue({ concurrency: this.options.concurrency });
    this.#rpm = this.options.rpm === undefined ? undefined : new RateBucket({ capacity: this.options.rpm });
    this.#now = runtime.now ?? Date.now;
    this.#random = runtime.random ?? Math.random;
    // Every request waiting to retry listens here; that is expected, not a leak.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests accepted but not in flight: queued, waiting for the rate limit, or waiting to retry. */
  get pending(): number {
    return this.#outstanding - this.#inFlight;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Sends `req` when a slot and the rate limit allow, retrying rate limits and transient failures up to
   * `maxRetries` times; then throws the last error. Other errors are thrown at once.
   */
  async generate(req: GenerateRequest, signal: AbortSignal | undefined = req.signal): Promise<GenerateResult> {
    if (this.closed) throw new PoolClosedError(this.endpoint);
    signal?.throwIfAborted();
    const caller = this.#callerSignals.follow(signal);
    this.#outstanding++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.#attempt(req, caller.signal, attempt);
        } catch (error) {
          if (error instanceof RateLimitedError) this.#noteRateLimit(error);
          if (!isRetryable(error) || attempt >= this.options.maxRetries || caller.signal.aborted) throw error;
          if (this.closed) throw new PoolClosedError(this.endpoint, { cause: error });
          const delayMs = retryDelayMs(error, attempt, this.options, this.#random);
          this.emit('retry', { endpoint: this.endpoint, attempt: attempt + 1, delayMs, error });
          // Waiting happens here, outside the queue, so a backing-off request does not hold a slot.
          await sleep(delayMs, [caller.signal, this.#closing.signal]);
        }
      }
    } finally {
      caller.release();
      this.#outstanding--;
      if (this.#outstanding === 0) this.#wakeIdleWaiters();
    }
  }

  /** Resolves when no request is queued, waiting or in flight. */
  onIdle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops starting requests; in-flight ones finish. Queued ones wait for `resume()`. */
  pause(): void {
    this.#queue.pause();
  }

  resume(): void {
    this.#queue.start();
  }

  /**
   * Graceful stop: no new request starts and requests in flight finish. Requests not yet sent, and failed
   * ones that would have been retried, reject with PoolClosedError. Resolves when nothing is in flight.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      const reason = new PoolClosedError(this.endpoint);
      this.#closing.abort(reason);
      for (const ticket of this.#notStarted) ticket.abort(reason);
      this.#notStarted.clear();
      this.#closed = this.onIdle();
    }
    return this.#closed;
  }

  /** One try: queue, wait for the rate limit, send. `signal` is this call's own (see AbortFanout). */
  async #attempt(req: GenerateRequest, signal: AbortSignal, attempt: number): Promise<GenerateResult> {
    this.#closing.signal.throwIfAborted();
    // The ticket follows the call's signal until the request is sent, and the pool's close as well.
    const ticket = new AbortController();
    const forwardAbort = (): void => ticket.abort(signal.reason);
    signal.addEventListener('abort', forwardAbort, { once: true });
    this.#notStarted.add(ticket);
    try {
      return await this.#queue.add(
        async () => {
          await this.#waitForStart(ticket.signal);
          this.#notStarted.delete(ticket);
          this.#inFlight++;
          try {
            return await this.#provider.generate({ ...req, signal });
          } finally {
            this.#inFlight--;
          }
        },
        // Retries go ahead of first tries: they have waited already, and finishing work frees memory.
        { signal: ticket.signal, priority: attempt },
      );
    } finally {
      this.#notStarted.delete(ticket);
      signal.removeEventListener('abort', forwardAbort);
    }
  }

  /** Holds the slot until the endpoint's pause and rate limit allow one more start, then takes it. */
  async #waitForStart(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const now = this.#now();
      const waitMs = Math.max(this.#pausedUntil - now, this.#rpm?.waitMs(1, now) ?? 0);
      if (waitMs <= 0) {
        this.#rpm?.tryTake(1, now);
        return;
      }
      await sleep(waitMs, [signal]);
    }
  }

  #noteRateLimit(error: RateLimitedError): void {
    let pausedUntil: number | undefined;
    if (error.retryAfterMs !== undefined) {
      this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + error.retryAfterMs);
      pausedUntil = this.#pausedUntil;
    }
    this.emit('rateLimited', { endpoint: this.endpoint, retryAfterMs: error.retryAfterMs, pausedUntil, error });
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
