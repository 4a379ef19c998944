// A circuit breaker for one endpoint: stop sending to a backend that keeps failing, and find out cheaply when
// it is back.
//
// closed ── N consecutive failures ──► open ── cool-down passes ──► half-open: one probe request
//   ▲                                   ▲                                 │
//   └────────── the probe succeeds ─────┼─────────────────────────────────┘
//                                       └── the probe fails: open again, cool-down doubled
//
// Only failures that say the backend is unreachable or broken count (connection errors, timeouts, 5xx); any
// answer at all, even a 429 or a 400, shows it is alive.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** First cool-down before a probe. */
  cooldownMs: number;
  /** Cap of the cool-down, which doubles with every failed probe. */
  maxCooldownMs: number;
}

/** What a failure did to the circuit, for the pool to report. */
export type CircuitTransition = { state: 'open'; cooldownMs: number; reopened: boolean } | undefined;

export class CircuitBreaker {
  readonly options: Readonly<CircuitOptions>;
  #consecutiveFailures = 0;
  /** Opens in a row without a success; sets the cool-down. 0 while closed. */
  #opens = 0;
  #openUntil = 0;
  #probeInFlight = false;

  constructor(options: CircuitOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`circuit failureThreshold must be a whole number ≥ 1, got ${options.failureThreshold}`);
    }
    if (!(options.cooldownMs >= 0) || !(options.maxCooldownMs >= options.cooldownMs)) {
      throw new RangeError('circuit cooldownMs must be ≥ 0 and maxCooldownMs at least cooldownMs');
    }
    this.options = Object.freeze({ ...options });
  }

  state(now: number): CircuitState {
    if (this.#opens === 0) return 'closed';
    return now < this.#openUntil ? 'open' : 'half-open';
  }

  /** Earliest time a request may be sent: now when closed, the end of the cool-down when open, never while a probe is out. */
  readyAt(now: number): number {
    const state = this.state(now);
    if (state === 'closed') return now;
    if (state === 'open') return this.#openUntil;
    return this.#probeInFlight ? Number.POSITIVE_INFINITY : now;
  }

  /** A request is being sent; returns whether it is the half-open probe. */
  onStart(now: number): boolean {
    if (this.state(now) !== 'half-open') return false;
    this.#probeInFlight = true;
    return true;
  }

  /** The endpoint answered (any answer). Returns true when this closed an open circuit. */
  onAlive(wasProbe: boolean): boolean {
    if (wasProbe) this.#probeInFlight = false;
    this.#consecutiveFailures = 0;
    if (this.#opens === 0) return false;
    this.#opens = 0;
    this.#openUntil = 0;
    return true;
  }

  /** The endpoint failed in a way that suggests it is down. */
  onFailure(wasProbe: boolean, now: number): CircuitTransition {
    if (wasProbe) {
      this.#probeInFlight = false;
      return this.#open(now, true);
    }
    // Requests sent before the circuit opened fail in a crowd; they are old news.
    if (this.#opens > 0) return undefined;
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures < this.options.failureThreshold) return undefined;
    return this.#open(now, false);
  }

  /** The probe ended without telling us anything (cancelled by its caller): let another request probe. */
  onInconclusive(wasProbe: boolean): void {
    if (wasProbe) this.#probeInFlight = false;
  }

  #open(now: number, reopened: boolean): CircuitTransition {
    this.#opens++;
    const cooldownMs = Math.min(this.options.maxCooldownMs, this.options.cooldownMs * 2 ** (this.#opens - 1));
    this.#openUntil = now + cooldownMs;
    this.#consecutiveFailures = 0;
    return { state: 'open', cooldownMs, reopened };
  }
}
