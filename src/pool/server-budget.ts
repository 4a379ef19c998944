// The rate-limit budget a server reports in its `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` headers.
//
// Our own RPM/TPM buckets keep to the configured limits, but the server's real limits may be lower (shared
// keys, another process on the same account, an organisation-wide cap). When the server says how much is
// left until its budget resets, we stop sending once that is used up and wait for the reset, instead of
// learning it from a 429 that also costs a concurrency halving.
//
// A report describes the server's budget when it handled that request; requests we sent after it are not in
// it yet, so they are subtracted. Without a reset time a report cannot say how long to wait and is ignored.

import type { RateLimitStatus } from '../types.js';

interface Remaining {
  amount: number;
  resetAt: number;
}

/** What we had sent through this endpoint when the reported request was sent, and what we have sent since. */
export interface SentSince {
  requests: number;
  tokens: number;
}

export class ServerReportedBudget {
  #requests: Remaining | undefined;
  #tokens: Remaining | undefined;

  /** Takes in the budget a server reported with an answer; `sentSince` is what we sent after that request. */
  update(status: RateLimitStatus, sentSince: SentSince, now: number): void {
    if (status.remainingRequests !== undefined && status.resetRequestsMs !== undefined) {
      this.#requests = { amount: status.remainingRequests - sentSince.requests, resetAt: now + status.resetRequestsMs };
    }
    if (status.remainingTokens !== undefined && status.resetTokensMs !== undefined) {
      this.#tokens = { amount: status.remainingTokens - sentSince.tokens, resetAt: now + status.resetTokensMs };
    }
  }

  /** A request estimated at `tokens` is being sent. */
  onStart(tokens: number): void {
    if (this.#requests) this.#requests.amount -= 1;
    if (this.#tokens) this.#tokens.amount -= tokens;
  }

  /** Earliest time a request of `tokens` fits what the server said is left: `now` when it does or nothing is known. */
  readyAt(tokens: number, now: number): number {
    let at = now;
    if (this.#requests && now < this.#requests.resetAt && this.#requests.amount < 1) at = Math.max(at, this.#requests.resetAt);
    if (this.#tokens && now < this.#tokens.resetAt && this.#tokens.amount < tokens) at = Math.max(at, this.#tokens.resetAt);
    return at;
  }
}
