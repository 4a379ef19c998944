// The rephraser pool: many endpoints, each kept to its own limits, one queue of requests in front of them.
//
// A request waits in one line (retries ahead of first tries, then arrival order). Whenever something changes
// (a request arrives or finishes, a rate window or a pause ends) the line is walked from the front and each
// request goes to the endpoint the router picks; if none can take it now, the endpoint it waits for is held
// for it, so a long prompt waiting for TPM room is not overtaken forever by short ones.
//
// Rate limits and transient failures are retried (up to `maxRetries`), on any endpoint: the failed one is
// avoided for the backoff delay, a healthy one may take the request at once. Everything else goes straight
// back to the caller. A request in flight is never cancelled by the pool, only by its caller.

import { EventEmitter } from 'node:events';
import { ProviderError, RateLimitedError, TransientError } from '../providers/errors.js';
import { countTokens as cl100kTokens } from '../tokens.js';
import type { GenerateRequest, GenerateResult } from '../types.js';
import { AbortFanout, type FollowedSignal } from './abort-fanout.js';
import { retryDelayMs } from './backoff.js';
import { EndpointSlot, type EndpointStats, type Lease } from './endpoint-slot.js';
import { PoolClosedError, type PoolEvents } from './pool-events.js';
import {
  endpointSpecSchema,
  multiPoolOptionsSchema,
  parseOptions,
  type EndpointSpec,
  type MultiPoolOptions,
  type MultiPoolOptionsInput,
  type PoolRuntime,
} from './pool-options.js';
import { estimateRequestTokens, type RequestTokens, type TokenCounter } from './request-tokens.js';
import { routeRequest } from './router.js';

interface Job {
  readonly req: GenerateRequest;
  readonly tokens: RequestTokens;
  readonly caller: FollowedSignal;
  /** Arrival order, for first-come first-served among equals. */
  readonly arrival: number;
  /** Failed tries counted against `maxRetries`. */
  failures: number;
  /** Per endpoint, the time this request may use it again after failing there. */
  readonly notBefore: Map<EndpointSlot, number>;
  waiting: boolean;
  readonly resolve: (result: GenerateResult) => void;
  readonly reject: (error: unknown) => void;
  readonly onCallerAbort: () => void;
}

function isRetryable(error: unknown): error is RateLimitedError | TransientError {
  return error instanceof RateLimitedError || error instanceof TransientError;
}

function defaultSchedule(callback: () => void, delayMs: number): () => void {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
}

export class MultiEndpointPool extends EventEmitter<PoolEvents> {
  readonly options: Readonly<MultiPoolOptions>;
  /** Endpoint names, in the order given. */
  readonly endpoints: readonly string[];
  readonly #slots: readonly EndpointSlot[];
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #countTokens: TokenCounter;
  readonly #schedule: (callback: () => void, delayMs: number) => () => void;
  readonly #callerSignals = new AbortFanout();
  /** Requests not in flight, in the order they get endpoints: most failures first, then arrival. */
  #waiting: Job[] = [];
  #arrivals = 0;
  #inFlight = 0;
  #outstanding = 0;
  #idleWaiters: Array<() => void> = [];
  #paused = false;
  #closed: Promise<void> | undefined;
  #dispatching = false;
  #dispatchAgain = false;
  #cancelWake: (() => void) | undefined;

  constructor(endpoints: readonly EndpointSpec[], options: MultiPoolOptionsInput = {}, runtime: PoolRuntime = {}) {
    super();
    if (endpoints.length === 0) throw new RangeError('Invalid pool option "endpoints": at least one endpoint is needed');
    this.options = Object.freeze(parseOptions(multiPoolOptionsSchema, options));
    this.#now = runtime.now ?? Date.now;
    this.#random = runtime.random ?? Math.random;
    this.#countTokens = runtime.countTokens ?? cl100kTokens;
    this.#schedule = runtime.schedule ?? defaultSchedule;
    const settings = {
      rateWindowMs: this.options.rateWindowMs,
      windowMarginMs: this.options.windowMarginMs,
      circuit: {
        failureThreshold: this.options.circuitFailureThreshold,
        cooldownMs: this.options.circuitCooldownMs,
        maxCooldownMs: this.options.circuitMaxCooldownMs,
      },
      countTokens: this.#countTokens,
    };
    this.#slots = endpoints.map((spec, i) => {
      return new EndpointSlot(parseOptions(endpointSpecSchema, spec, `endpoints.${i}`), settings);
    });
    const names = this.#slots.map((s) => s.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) {
      throw new RangeError(`Invalid pool option "endpoints": two endpoints are named "${duplicate}"; give each a distinct name`);
    }
    this.endpoints = Object.freeze(names);
  }

  /** Requests sent and not yet answered, over all endpoints. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests accepted but not in flight: waiting for an endpoint, a rate window, or their retry delay. */
  get pending(): number {
    return this.#waiting.length;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Per-endpoint counters, in the order the endpoints were given. */
  stats(): EndpointStats[] {
    const now = this.#now();
    return this.#slots.map((slot) => slot.stats(now));
  }

  /** Spend so far over all endpoints, in USD, from their prices and the reported usage. */
  get costUsd(): number {
    return this.stats().reduce((sum, s) => sum + s.costUsd, 0);
  }

  /**
   * Sends `req` on an endpoint when one can take it, retrying rate limits and transient failures up to
   * `maxRetries` times (on any endpoint); then rejects with the last error. Other errors reject at once.
   * The result's `endpoint` names the endpoint that answered.
   */
  async generate(req: GenerateRequest, signal: AbortSignal | undefined = req.signal): Promise<GenerateResult> {
    if (this.closed) throw new PoolClosedError(this.endpoints.join(', '));
    signal?.throwIfAborted();
    const tokens = estimateRequestTokens(req, this.#countTokens);
    const caller = this.#callerSignals.follow(signal);
    return new Promise<GenerateResult>((resolve, reject) => {
      const job: Job = {
        req,
        tokens,
        caller,
        arrival: this.#arrivals++,
        failures: 0,
        notBefore: new Map(),
        waiting: false,
        resolve: (result) => {
          this.#settle(job);
          resolve(result);
        },
        reject: (error) => {
          this.#settle(job);
          reject(error);
        },
        onCallerAbort: () => {
          if (job.waiting) {
            this.#removeWaiting(job);
            job.reject(caller.signal.reason);
          }
        },
      };
      caller.signal.addEventListener('abort', job.onCallerAbort, { once: true });
      this.#outstanding++;
      this.#enqueue(job);
      this.#dispatch();
    });
  }

  /** Resolves when no request is waiting or in flight. */
  onIdle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops starting requests; in-flight ones finish. Waiting ones wait for `resume()`. */
  pause(): void {
    this.#paused = true;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
  }

  resume(): void {
    this.#paused = false;
    this.#dispatch();
  }

  /**
   * Graceful stop: no new request starts and requests in flight finish. Requests not yet sent, and failed
   * ones that would have been retried, reject with PoolClosedError. Resolves when nothing is in flight.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#cancelWake?.();
      this.#cancelWake = undefined;
      const waiting = this.#waiting;
      this.#waiting = [];
      const reason = new PoolClosedError(this.endpoints.join(', '));
      for (const job of waiting) {
        job.waiting = false;
        job.reject(reason);
      }
      this.#closed = this.onIdle();
    }
    return this.#closed;
  }

  #enqueue(job: Job): void {
    // From the back: first tries (the common case) go straight to the end.
    let i = this.#waiting.length;
    while (i > 0) {
      const ahead = this.#waiting[i - 1] as Job;
      if (ahead.failures > job.failures || (ahead.failures === job.failures && ahead.arrival < job.arrival)) break;
      i--;
    }
    this.#waiting.splice(i, 0, job);
    job.waiting = true;
  }

  #removeWaiting(job: Job): void {
    const i = this.#waiting.indexOf(job);
    if (i >= 0) this.#waiting.splice(i, 1);
    job.waiting = false;
  }

  /** Walks the line and starts what can start; schedules a wake-up for the soonest that must wait for the clock. */
  #dispatch(): void {
    if (this.#dispatching) {
      this.#dispatchAgain = true;
      return;
    }
    this.#dispatching = true;
    try {
      do {
        this.#dispatchAgain = false;
        this.#cancelWake?.();
        this.#cancelWake = undefined;
        if (this.#paused || this.closed) return;
        const now = this.#now();
        const held = new Set<EndpointSlot>();
        let wakeAt = Number.POSITIVE_INFINITY;
        for (let i = 0; i < this.#waiting.length && held.size < this.#slots.length; ) {
          const job = this.#waiting[i] as Job;
          const route = routeRequest(this.#slots, {
            tokens: job.tokens,
            now,
            notBefore: (slot) => job.notBefore.get(slot) ?? now,
            held,
          });
          if (route.kind === 'full') break; // every endpoint left is busy: an answer will call us again
          if (route.kind === 'start') {
            this.#waiting.splice(i, 1);
            job.waiting = false;
            this.#send(job, route.slot, now);
            continue;
          }
          wakeAt = Math.min(wakeAt, route.until);
          if (route.hold) held.add(route.hold);
          i++;
        }
        if (wakeAt !== Number.POSITIVE_INFINITY) {
          // Rounded up and at least 1 ms: a timer that fired a fraction early would otherwise spin at 0 ms.
          const delayMs = Math.max(1, Math.ceil(wakeAt - now));
          this.#cancelWake = this.#schedule(() => {
            this.#cancelWake = undefined;
            this.#dispatch();
          }, delayMs);
        }
      } while (this.#dispatchAgain);
    } finally {
      this.#dispatching = false;
    }
  }

  #send(job: Job, slot: EndpointSlot, now: number): void {
    const lease = slot.start(job.tokens, now);
    this.#inFlight++;
    const call = async (): Promise<GenerateResult> => slot.provider.generate({ ...job.req, signal: job.caller.signal });
    call().then(
      (result) => {
        this.#inFlight--;
        const { circuitClosed } = slot.onSuccess(lease, result, this.#now());
        if (circuitClosed) this.emit('circuit', { endpoint: slot.name, state: 'closed' });
        job.resolve(result.endpoint === slot.name ? result : { ...result, endpoint: slot.name });
        this.#dispatch();
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#onFailure(job, slot, lease, error);
        this.#dispatch();
      },
    );
  }

  #onFailure(job: Job, slot: EndpointSlot, lease: Lease, error: unknown): void {
    const now = this.#now();
    if (job.caller.signal.aborted) {
      slot.onInconclusive(lease, false);
      job.reject(error);
      return;
    }
    if (error instanceof RateLimitedError) {
      const { concurrencyLowered, pausedUntil, circuitClosed } = slot.onRateLimited(lease, error, now);
      if (circuitClosed) this.emit('circuit', { endpoint: slot.name, state: 'closed' });
      this.emit('rateLimited', {
        endpoint: slot.name,
        retryAfterMs: error.retryAfterMs,
        pausedUntil,
        concurrency: slot.concurrency,
        concurrencyLowered,
        error,
      });
    } else if (error instanceof TransientError) {
      const opened = slot.onUnreachable(lease, now);
      if (opened) {
        this.emit('circuit', { endpoint: slot.name, state: 'open', cooldownMs: opened.cooldownMs, error });
        this.#chargeWaitingIfNoEndpointWorks(error, now);
      }
    } else if (error instanceof ProviderError) {
      if (slot.onRefused(lease).circuitClosed) this.emit('circuit', { endpoint: slot.name, state: 'closed' });
    } else {
      slot.onInconclusive(lease, true);
    }

    if (!isRetryable(error)) return job.reject(error);
    job.failures++;
    if (job.failures > this.options.maxRetries) return job.reject(error);
    if (this.closed) return job.reject(new PoolClosedError(slot.name, { cause: error }));
    const delayMs = retryDelayMs(error, job.failures - 1, this.options, this.#random);
    job.notBefore.set(slot, now + delayMs);
    this.emit('retry', { endpoint: slot.name, attempt: job.failures, delayMs, error });
    this.#enqueue(job);
  }

  /**
   * With every circuit open, waiting requests cannot be sent anywhere, so each failure that keeps a circuit
   * open counts as a failed try of every waiting request: a backend that stays down fails them once their
   * retries are spent (about as long as retrying by themselves would take) instead of holding them forever.
   */
  #chargeWaitingIfNoEndpointWorks(error: TransientError, now: number): void {
    if (this.#slots.some((slot) => slot.circuitState(now) === 'closed')) return;
    // Their own last try (if any) did not fail like this one: say why they end, naming the failure that did.
    let waitedOut: TransientError | undefined;
    for (const job of [...this.#waiting]) {
      job.failures++;
      if (job.failures > this.options.maxRetries) {
        this.#removeWaiting(job);
        waitedOut ??= new TransientError(
          `${error.endpoint}: not answered: every endpoint's circuit stayed open after repeated failures (the last: ${error.message})`,
          error.endpoint,
          error.status,
        );
        job.reject(waitedOut);
      }
    }
  }

  #settle(job: Job): void {
    job.caller.signal.removeEventListener('abort', job.onCallerAbort);
    job.caller.release();
    this.#outstanding--;
    if (this.#outstanding === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
