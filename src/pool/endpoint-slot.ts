// One endpoint inside the pool: its limits (concurrency, RPM, TPM, what the server says is left), its health
// (adaptive concurrency, circuit breaker, a 429's pause) and its counters. It decides nothing about which
// request goes where (the router does) and never sends anything itself (the pool does); it answers "when could
// a request of this size start here?" and keeps its books as requests start and finish.

import type { RateLimitedError } from '../providers/errors.js';
import type { GenerateResult, Provider } from '../types.js';
import { AdaptiveConcurrency } from './aimd.js';
import { CircuitBreaker, type CircuitOptions, type CircuitState, type CircuitTransition } from './circuit.js';
import type { Reservation } from './rate-bucket.js';
import { RateLimit } from './rate-limit.js';
import { reportedTokens, requestCost, type RequestCost, type RequestTokens, type TokenCounter } from './request-tokens.js';
import type { SentEntry } from './sent-log.js';
import { ServerReportedBudget } from './server-budget.js';

/** One endpoint as the pool is given it (validated defaults filled in). */
export interface EndpointLimits {
  provider: Provider;
  /** Share of the work relative to the other endpoints when they have equal free capacity. */
  weight: number;
  /** Requests in flight at once; the ceiling adaptive concurrency climbs back to. */
  maxInFlight: number;
  /** Requests started per rate window (a provider that splits `n` sends several per generate); undefined = unlimited. */
  rpm?: number | undefined;
  /** Tokens (prompt + max_tokens × n, settled to usage) per rate window; undefined = unlimited. */
  tpm?: number | undefined;
  /** USD per million prompt tokens; undefined = not priced. */
  pricePerMillionInput?: number | undefined;
  /** USD per million completion tokens; undefined = not priced. */
  pricePerMillionOutput?: number | undefined;
}

export interface SlotSettings {
  /** The period the rpm/tpm limits are counted over (60 000 ms for per-minute limits). */
  rateWindowMs: number;
  /** Added to the window so a request's travel time cannot put it into the server's previous window. */
  windowMarginMs: number;
  circuit: CircuitOptions;
  countTokens: TokenCounter;
}

/** A request sent through this endpoint, from start to answer. */
export interface Lease {
  /** Order of starts on this endpoint (0, 1, 2, …). */
  readonly seq: number;
  readonly sentAt: number;
  /** The half-open circuit's probe. */
  readonly probe: boolean;
  readonly tokens: RequestTokens;
  /** What it counts against this endpoint's limits (more than one request when the provider splits `n`). */
  readonly cost: RequestCost;
  readonly tokenReservation: Reservation | undefined;
  /** Its place in what the server's reported budget knows we sent. */
  readonly sent: SentEntry;
}

/** Per-endpoint counters for progress lines, `stats` and cost budgets. */
export interface EndpointStats {
  endpoint: string;
  weight: number;
  maxInFlight: number;
  /** Requests allowed in flight now (adaptive: halved by 429s, regained by successes). */
  concurrency: number;
  inFlight: number;
  circuit: CircuitState;
  /** Requests sent, answered or not. */
  requests: number;
  succeeded: number;
  /** 429 answers. */
  rateLimited: number;
  /** Failures other than 429 and caller aborts. */
  errors: number;
  /** Reported usage (estimated from the text when the server reported none). */
  promptTokens: number;
  completionTokens: number;
  /** From the prices and the usage; 0 when the endpoint has no prices. */
  costUsd: number;
  /** Requests and tokens counted in the current rate window (what the RPM/TPM limits compare against); 0 when unlimited. */
  windowRequests: number;
  windowTokens: number;
  /** No request starts before this time (ms since epoch) because of a 429; absent when not paused. */
  pausedUntil?: number;
}

export interface RateLimitOutcome {
  /** Whether this 429 halved the endpoint's concurrency (only the first of a burst does). */
  concurrencyLowered: boolean;
  /** No request starts here before this time; undefined when the server gave no wait. */
  pausedUntil: number | undefined;
  /** A 429 is an answer: it closes an open circuit. */
  circuitClosed: boolean;
}

export class EndpointSlot {
  readonly name: string;
  readonly provider: Provider;
  readonly limits: Readonly<EndpointLimits>;
  readonly #settings: SlotSettings;
  readonly #concurrency: AdaptiveConcurrency;
  readonly #circuit: CircuitBreaker;
  readonly #serverBudget: ServerReportedBudget;
  readonly #rpm: RateLimit | undefined;
  readonly #tpm: RateLimit | undefined;
  #pausedUntil = 0;
  #inFlight = 0;
  #starts = 0;
  #succeeded = 0;
  #rateLimited = 0;
  #errors = 0;
  #promptTokens = 0;
  #completionTokens = 0;

  constructor(limits: EndpointLimits, settings: SlotSettings) {
    this.limits = Object.freeze({ ...limits });
    this.provider = limits.provider;
    this.name = limits.provider.endpoint;
    this.#settings = settings;
    this.#concurrency = new AdaptiveConcurrency(limits.maxInFlight);
    this.#circuit = new CircuitBreaker(settings.circuit);
    const windowMs = settings.rateWindowMs + settings.windowMarginMs;
    this.#rpm = limits.rpm === undefined ? undefined : new RateLimit({ capacity: limits.rpm, windowMs });
    this.#tpm = limits.tpm === undefined ? undefined : new RateLimit({ capacity: limits.tpm, windowMs });
    this.#serverBudget = new ServerReportedBudget({
      windowMs: settings.rateWindowMs,
      marginMs: settings.windowMarginMs,
      rpm: limits.rpm,
      tpm: limits.tpm,
    });
  }

  /** What a request counts against this endpoint's limits. */
  cost(tokens: RequestTokens): RequestCost {
    return requestCost(tokens, this.provider.requestsPerGenerate?.bind(this.provider));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests allowed in flight now (adaptive). */
  get concurrency(): number {
    return this.#concurrency.limit;
  }

  circuitState(now: number): CircuitState {
    return this.#circuit.state(now);
  }

  /** Requests that could start now as far as concurrency goes (the half-open probe counts as one). */
  freeSlots(now: number): number {
    const state = this.#circuit.state(now);
    if (state === 'open') return 0;
    if (state === 'half-open') return this.#circuit.readyAt(now) <= now ? 1 : 0;
    return Math.max(0, this.#concurrency.limit - this.#inFlight);
  }

  /**
   * Earliest time a request of `tokens` could start here: `now` if it can start at once, a later time
   * when only the clock stands in the way (rate windows, a 429 pause, a circuit cool-down), Infinity when it
   * must wait for a request in flight to finish (no free slot, or the circuit's probe is out).
   */
  readyAt(tokens: RequestTokens, now: number): number {
    if (this.#circuit.state(now) === 'closed' && this.#inFlight >= this.#concurrency.limit) return Number.POSITIVE_INFINITY;
    const cost = this.cost(tokens);
    return Math.max(
      now,
      this.#circuit.readyAt(now),
      this.#pausedUntil,
      now + (this.#rpm?.waitMs(cost.requests, now) ?? 0),
      now + (this.#tpm?.waitMs(cost.tokens, now) ?? 0),
      this.#serverBudget.readyAt(cost, now),
    );
  }

  /** Books a request that is being sent now; call only when `readyAt(tokens, now) <= now`. */
  start(tokens: RequestTokens, now: number): Lease {
    const cost = this.cost(tokens);
    const probe = this.#circuit.onStart(now);
    this.#rpm?.take(cost.requests, now);
    const tokenReservation = this.#tpm?.take(cost.tokens, now);
    const sent = this.#serverBudget.onStart(cost, now);
    const lease: Lease = { seq: this.#starts++, sentAt: now, probe, tokens, cost, tokenReservation, sent };
    this.#inFlight++;
    return lease;
  }

  /** The request was answered. Returns whether this closed an open circuit. */
  onSuccess(lease: Lease, result: GenerateResult, now: number): { circuitClosed: boolean } {
    this.#inFlight--;
    this.#succeeded++;
    const used = reportedTokens(result);
    if (used !== undefined) {
      lease.tokenReservation?.settle(used);
      this.#serverBudget.settle(lease.sent, used);
    }
    if (result.usage) {
      this.#promptTokens += result.usage.promptTokens;
      this.#completionTokens += result.usage.completionTokens;
    } else {
      this.#promptTokens += lease.tokens.prompt * lease.cost.requests;
      for (const c of result.candidates) this.#completionTokens += this.#settings.countTokens(c.text);
    }
    if (result.rateLimit) this.#serverBudget.update(result.rateLimit, lease.sent, now);
    this.#concurrency.onSuccess();
    return { circuitClosed: this.#circuit.onAlive(lease.probe) };
  }

  /**
   * The server refused the request with a 429. Its reservations stay booked: the server may count refused
   * requests too. Pauses the endpoint for the server's wait and halves concurrency once per burst.
   */
  onRateLimited(lease: Lease, error: RateLimitedError, now: number): RateLimitOutcome {
    this.#inFlight--;
    this.#rateLimited++;
    this.#serverBudget.onFailed(lease.sent);
    const circuitClosed = this.#circuit.onAlive(lease.probe);
    const concurrencyLowered = this.#concurrency.onRateLimited(lease.seq, this.#starts);
    if (error.retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + error.retryAfterMs);
    const pausedUntil = error.retryAfterMs === undefined ? undefined : this.#pausedUntil;
    return { concurrencyLowered, pausedUntil, circuitClosed };
  }

  /** A failure that suggests the endpoint is down (connection error, timeout, 5xx). */
  onUnreachable(lease: Lease, now: number): CircuitTransition {
    this.#inFlight--;
    this.#serverBudget.onFailed(lease.sent);
    this.#errors++;
    return this.#circuit.onFailure(lease.probe, now);
  }

  /** The endpoint answered with an error another try will not fix (400, 401, 404, context too long). */
  onRefused(lease: Lease): { circuitClosed: boolean } {
    this.#inFlight--;
    this.#serverBudget.onFailed(lease.sent);
    this.#errors++;
    return { circuitClosed: this.#circuit.onAlive(lease.probe) };
  }

  /** The request ended without an answer that says anything about the endpoint (the caller cancelled it, or a bug). */
  onInconclusive(lease: Lease, countAsError: boolean): void {
    this.#inFlight--;
    this.#serverBudget.onFailed(lease.sent);
    if (countAsError) this.#errors++;
    this.#circuit.onInconclusive(lease.probe);
  }

  stats(now: number): EndpointStats {
    const { pricePerMillionInput = 0, pricePerMillionOutput = 0 } = this.limits;
    const stats: EndpointStats = {
      endpoint: this.name,
      weight: this.limits.weight,
      maxInFlight: this.limits.maxInFlight,
      concurrency: this.#concurrency.limit,
      inFlight: this.#inFlight,
      circuit: this.#circuit.state(now),
      requests: this.#starts,
      succeeded: this.#succeeded,
      rateLimited: this.#rateLimited,
      errors: this.#errors,
      promptTokens: this.#promptTokens,
      completionTokens: this.#completionTokens,
      costUsd: (this.#promptTokens * pricePerMillionInput + this.#completionTokens * pricePerMillionOutput) / 1_000_000,
      windowRequests: this.#rpm?.used(now) ?? 0,
      windowTokens: this.#tpm?.used(now) ?? 0,
    };
    if (this.#pausedUntil > now) stats.pausedUntil = this.#pausedUntil;
    return stats;
  }
}
