// One endpoint's request pool: the single-endpoint face of MultiEndpointPool, for runs configured with one
// endpoint from command-line flags. It caps concurrency (adaptive below the cap), keeps to RPM and TPM, retries
// what another try can fix, opens a circuit on a dead backend, and stops cleanly.

import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { GenerateRequest, GenerateResult, Provider } from '../types.js';
import type { EndpointStats } from './endpoint-slot.js';
import { MultiEndpointPool } from './multi-endpoint-pool.js';
import type { PoolEvents } from './pool-events.js';
import { parseOptions, retryOptionsShape, type PoolRuntime } from './pool-options.js';

export { PoolClosedError, type CircuitEvent, type PoolEvents, type RateLimitedEvent, type RetryEvent } from './pool-events.js';
export type { PoolRuntime } from './pool-options.js';

const poolOptionsSchema = z
  .strictObject({
    /** Requests in flight at once (the cap adaptive concurrency climbs back to). Default 8. */
    concurrency: z.number().int().min(1).default(8),
    /** Requests started per rate window (a minute); undefined = unlimited. */
    rpm: z.number().int().min(1).optional(),
    /** Tokens per rate window (prompt + max_tokens × n, settled to usage); undefined = unlimited. */
    tpm: z.number().int().min(1).optional(),
    ...retryOptionsShape,
  })
  .refine((o) => o.maxDelayMs >= o.baseDelayMs, { path: ['maxDelayMs'], message: 'must be at least baseDelayMs' });

export type PoolOptions = z.output<typeof poolOptionsSchema>;

export class EndpointPool extends EventEmitter<PoolEvents> {
  readonly options: Readonly<PoolOptions>;
  readonly endpoint: string;
  readonly #pool: MultiEndpointPool;

  constructor(provider: Provider, options: Partial<z.input<typeof poolOptionsSchema>> = {}, runtime: PoolRuntime = {}) {
    super();
    this.options = Object.freeze(parseOptions(poolOptionsSchema, options));
    const { concurrency, rpm, tpm, ...shared } = this.options;
    this.#pool = new MultiEndpointPool([{ provider, maxInFlight: concurrency, rpm, tpm }], shared, runtime);
    this.endpoint = provider.endpoint;
    this.#pool.on('retry', (e) => this.emit('retry', e));
    this.#pool.on('rateLimited', (e) => this.emit('rateLimited', e));
    this.#pool.on('circuit', (e) => this.emit('circuit', e));
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#pool.inFlight;
  }

  /** Requests accepted but not in flight: queued, waiting for the rate limit, or waiting to retry. */
  get pending(): number {
    return this.#pool.pending;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#pool.closed;
  }

  /** Counters of this endpoint: requests, tokens, 429s, errors, concurrency now, circuit state, cost. */
  stats(): EndpointStats {
    return this.#pool.stats()[0] as EndpointStats;
  }

  /**
   * Sends `req` when a slot and the rate limits allow, retrying rate limits and transient failures up to
   * `maxRetries` times; then throws the last error. Other errors are thrown at once.
   */
  generate(req: GenerateRequest, signal: AbortSignal | undefined = req.signal): Promise<GenerateResult> {
    return this.#pool.generate(req, signal);
  }

  /** Resolves when no request is queued, waiting or in flight. */
  onIdle(): Promise<void> {
    return this.#pool.onIdle();
  }

  /** Stops starting requests; in-flight ones finish. Queued ones wait for `resume()`. */
  pause(): void {
    this.#pool.pause();
  }

  resume(): void {
    this.#pool.resume();
  }

  /**
   * Graceful stop: no new request starts and requests in flight finish. Requests not yet sent, and failed
   * ones that would have been retried, reject with PoolClosedError. Resolves when nothing is in flight.
   */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
