// The rate-limit budget a server reports in its `x-ratelimit-limit/remaining/reset-*` headers.
//
// Our own RPM/TPM buckets keep to the configured limits, but the server's real limits may be lower (shared
// keys, another process on the same account, an organisation-wide cap). Reading what the server says is left,
// we slow down before it refuses us, instead of learning the limit from 429s that also halve concurrency.
//
// A report says "this much is left now, and the budget is whole again in `reset`". It does not say "nothing
// more until then": OpenAI's budgets replenish continuously (500 RPM with 499 left resets in 120 ms), and a
// sliding-window server frees capacity as old requests age out. Waiting for the reset once the remaining is
// used up fills one window and then sends nothing for about a whole window: half the limit.
//
// How fast the budget comes back depends on how the server counts, so two readings are kept, and a request
// waits until both say it fits (each is exact for one kind of server and can be too hopeful for the other;
// together they are safe for both):
// - refilling: a token bucket, refilled at (limit − remaining) / reset, as OpenAI describes its limits;
// - sliding: what the server counted in its window leaves it one window after it was sent; of that we know our
//   own requests (see SentLog), so capacity comes back as they age out. A token bucket always has at least
//   what a sliding window of the same size would have left, but this reading, anchored on a report, can count
//   the refill of an old burst twice; the refilling reading cannot.
// Once the reset time has come, the budget is whole: the limit, less what we sent since the report that is
// still in the window. Without a limit (no header, none configured) nothing is known to refill before the
// reset, and after it the report says nothing more.
//
// A report describes the server's budget when it handled that request; requests we sent after it are not in it
// yet, so they are subtracted (at their reservation until their usage is known). Newer reports replace older
// ones; an answer that comes back after a later request's answer says less and is ignored. Without a reset time
// a report cannot say when the budget comes back and is ignored.

import type { RateLimitStatus } from '../types.js';
import { SentLog, type SentEntry } from './sent-log.js';

export interface ServerBudgetOptions {
  /** The period the server counts its limits over (60 000 ms for per-minute limits). */
  windowMs: number;
  /**
   * The most a request's trip to the server may take: a request we sent counts from up to this much later at the
   * server, so it is taken to leave the server's window this much after it leaves ours.
   */
  marginMs: number;
  /** The endpoint's configured limits, used when the server reports what is left but not its limit. */
  rpm?: number | undefined;
  tpm?: number | undefined;
}

/** What one request costs against the server's budget. */
export interface SentCost {
  requests: number;
  tokens: number;
}

type Units = (entry: SentEntry) => number;

interface Report {
  /** Order of the reported request; requests with a higher `seq` were not in the report. */
  seq: number;
  remaining: number;
  limit: number | undefined;
  receivedAt: number;
  resetAt: number;
  /** Units per ms a token bucket would refill at; 0 when the limit is unknown. */
  refillPerMs: number;
  /**
   * Our requests sent after this time (and not after the reported one) were surely in the server's window when
   * it wrote the report; older ones may already have left it (and be free in `remaining`), so their leaving our
   * window frees nothing more.
   */
  countedAfter: number;
}

/** Whether `entry`, sent no later than the reported request, was surely in what the report counted as used. */
function countedIn(report: Report, entry: SentEntry): boolean {
  return entry.counted && entry.at > report.countedAfter;
}

/** One of the server's budgets (requests or tokens) as its last report and what we sent since describe it. */
class ReportedBudget {
  readonly #units: Units;
  readonly #configuredLimit: number | undefined;
  #report: Report | undefined;
  /** Units sent after the report. */
  #sentAfter = 0;
  /** Of those, what is still in our window. */
  #inWindowAfter = 0;
  /** Units the server counted in the report that have left our window since. */
  #freed = 0;

  constructor(units: Units, configuredLimit: number | undefined) {
    this.#units = units;
    this.#configuredLimit = configuredLimit;
  }

  get reportSeq(): number {
    return this.#report?.seq ?? -1;
  }

  report(report: Report, log: SentLog): void {
    this.#report = report;
    this.#sentAfter = 0;
    this.#freed = 0;
    for (const entry of log.sentAfter(report.seq)) this.#sentAfter += this.#units(entry);
    this.#inWindowAfter = this.#sentAfter;
  }

  /** The configured limit when the server reports none. */
  limitOr(reported: number | undefined): number | undefined {
    return reported ?? this.#configuredLimit;
  }

  onSent(entry: SentEntry): void {
    if (!this.#report || entry.seq <= this.#report.seq) return;
    const units = this.#units(entry);
    this.#sentAfter += units;
    this.#inWindowAfter += units;
  }

  /** `entry`'s units changed by `delta` (its usage replaced its reservation). */
  onSettled(entry: SentEntry, delta: number): void {
    if (!this.#report || entry.seq <= this.#report.seq) return;
    this.#sentAfter += delta;
    if (!entry.expired) this.#inWindowAfter += delta;
  }

  onLeftWindow(entry: SentEntry): void {
    if (!this.#report) return;
    if (entry.seq > this.#report.seq) this.#inWindowAfter -= this.#units(entry);
    else if (countedIn(this.#report, entry)) this.#freed += this.#units(entry);
  }

  /** Units that fit at `now` as far as this budget knows; Infinity when it knows of no bound. */
  level(now: number): number {
    const r = this.#report;
    if (!r) return Number.POSITIVE_INFINITY;
    if (now >= r.resetAt) return r.limit === undefined ? Number.POSITIVE_INFINITY : r.limit - this.#inWindowAfter;
    const ceiling = r.limit ?? r.remaining;
    const refilling = Math.min(ceiling, r.remaining + r.refillPerMs * Math.max(0, now - r.receivedAt)) - this.#sentAfter;
    const sliding = Math.min(ceiling - this.#inWindowAfter, r.remaining - this.#inWindowAfter + this.#freed);
    return Math.min(refilling, sliding);
  }

  /** Earliest time `amount` units fit, if nothing else is sent meanwhile: `now` when they fit now. */
  readyAt(amount: number, now: number, log: SentLog): number {
    const r = this.#report;
    if (!r) return now;
    // More than the whole budget fits once the budget is whole: slow, but not stuck.
    const need = r.limit === undefined ? amount : Math.min(amount, r.limit);
    if (this.level(now) >= need) return now;
    if (now >= r.resetAt) return this.#whenWholeFits(need, now, log);

    let refilledAt = Number.POSITIVE_INFINITY;
    if (r.refillPerMs > 0 && (r.limit ?? 0) - this.#sentAfter >= need) {
      refilledAt = r.receivedAt + (need + this.#sentAfter - r.remaining) / r.refillPerMs;
    }
    let sliding = r.remaining - this.#inWindowAfter + this.#freed;
    let slidAt = sliding >= need ? now : Number.POSITIVE_INFINITY;
    if (sliding < need) {
      for (const entry of log.entries()) {
        if (entry.seq > r.seq || countedIn(r, entry)) sliding += this.#units(entry);
        if (sliding >= need) {
          slidAt = log.leavesAt(entry);
          break;
        }
      }
    }
    const beforeReset = Math.max(now, refilledAt, slidAt);
    return Math.min(beforeReset, this.#whenWholeFits(need, r.resetAt, log));
  }

  /** After the reset: when the limit, less what was sent since the report and is still in the window, fits `need`. */
  #whenWholeFits(need: number, from: number, log: SentLog): number {
    const r = this.#report as Report;
    if (r.limit === undefined) return from;
    let level = r.limit - this.#inWindowAfter;
    if (level >= need) return from;
    for (const entry of log.sentAfter(r.seq)) {
      level += this.#units(entry);
      if (level >= need) return Math.max(from, log.leavesAt(entry));
    }
    return Number.POSITIVE_INFINITY;
  }
}

export class ServerReportedBudget {
  readonly #log: SentLog;
  readonly #windowMs: number;
  readonly #requests: ReportedBudget;
  readonly #tokens: ReportedBudget;

  constructor(opts: ServerBudgetOptions) {
    this.#windowMs = opts.windowMs;
    this.#log = new SentLog(opts.windowMs + opts.marginMs);
    this.#requests = new ReportedBudget((e) => e.requests, opts.rpm);
    this.#tokens = new ReportedBudget((e) => e.tokens, opts.tpm);
  }

  /** A request costing `cost` is being sent at `now`; the returned entry identifies it in `settle` and `update`. */
  onStart(cost: SentCost, now: number): SentEntry {
    this.#leaveWindow(now);
    const entry = this.#log.add(cost.requests, cost.tokens, now);
    this.#requests.onSent(entry);
    this.#tokens.onSent(entry);
    return entry;
  }

  /** The request's tokens are known (its reported usage), replacing what it reserved. */
  settle(entry: SentEntry, tokens: number): void {
    const delta = tokens - entry.tokens;
    entry.tokens = tokens;
    this.#tokens.onSettled(entry, delta);
  }

  /** The request failed: the server may not have counted it, so its leaving the window frees nothing we can count on. */
  onFailed(entry: SentEntry): void {
    entry.counted = false;
  }

  /** Takes in the budget a server reported with the answer to `entry`, received at `now`. */
  update(status: RateLimitStatus, entry: SentEntry, now: number): void {
    this.#leaveWindow(now);
    const { remainingRequests, resetRequestsMs, remainingTokens, resetTokensMs } = status;
    if (remainingRequests !== undefined && resetRequestsMs !== undefined && entry.seq > this.#requests.reportSeq) {
      const limit = this.#requests.limitOr(status.limitRequests);
      this.#requests.report(this.#report(entry, remainingRequests, limit, resetRequestsMs, now), this.#log);
    }
    if (remainingTokens !== undefined && resetTokensMs !== undefined && entry.seq > this.#tokens.reportSeq) {
      const limit = this.#tokens.limitOr(status.limitTokens);
      this.#tokens.report(this.#report(entry, remainingTokens, limit, resetTokensMs, now), this.#log);
    }
  }

  /** Earliest time a request costing `cost` fits what the server said is left: `now` when it does or nothing is known. */
  readyAt(cost: SentCost, now: number): number {
    this.#leaveWindow(now);
    return Math.max(this.#requests.readyAt(cost.requests, now, this.#log), this.#tokens.readyAt(cost.tokens, now, this.#log));
  }

  #report(entry: SentEntry, remaining: number, reportedLimit: number | undefined, resetMs: number, now: number): Report {
    const limit = reportedLimit === undefined ? undefined : Math.max(reportedLimit, remaining);
    const reset = Math.max(0, resetMs);
    return {
      seq: entry.seq,
      remaining,
      limit,
      receivedAt: now,
      resetAt: now + reset,
      refillPerMs: limit === undefined || reset === 0 ? 0 : (limit - remaining) / reset,
      // The server wrote the report before we received it, so what it had already dropped was sent at least a
      // window before `now`; anything sent later was still in its window.
      countedAfter: now - this.#windowMs,
    };
  }

  #leaveWindow(now: number): void {
    this.#log.expire(now, (entry) => {
      this.#requests.onLeftWindow(entry);
      this.#tokens.onLeftWindow(entry);
    });
  }
}
