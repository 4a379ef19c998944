// What a server says is left of its rate limits, read from the `x-ratelimit-*` headers OpenAI (and the
// proxies that copy it: Azure, Groq, Together, LiteLLM) send on every answer, not only on a 429. The pool uses
// them to slow an endpoint before the server starts refusing it.
//
// OpenAI's meaning, which the others follow: `limit` is the budget when whole, `remaining` what is left now, and
// `reset` the time until the budget is whole again, replenishing continuously on the way (a 500 RPM limit with
// 499 left resets in 120 ms, not at the end of a minute). See src/pool/server-budget.ts for how it is read.

import type { RateLimitStatus } from '../types.js';
import { parseDurationMs } from './retry-after.js';

const COUNT = /^\d+$/;

function count(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  return value !== undefined && COUNT.test(value) ? Number(value) : undefined;
}

function duration(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  return value ? parseDurationMs(value) : undefined;
}

/** The rate-limit status in `headers`, or undefined when the server sent none of the six headers. */
export function rateLimitStatusFromHeaders(headers: Headers): RateLimitStatus | undefined {
  const status: RateLimitStatus = {};
  const limitRequests = count(headers, 'x-ratelimit-limit-requests');
  const limitTokens = count(headers, 'x-ratelimit-limit-tokens');
  const remainingRequests = count(headers, 'x-ratelimit-remaining-requests');
  const remainingTokens = count(headers, 'x-ratelimit-remaining-tokens');
  const resetRequestsMs = duration(headers, 'x-ratelimit-reset-requests');
  const resetTokensMs = duration(headers, 'x-ratelimit-reset-tokens');
  if (limitRequests !== undefined) status.limitRequests = limitRequests;
  if (limitTokens !== undefined) status.limitTokens = limitTokens;
  if (remainingRequests !== undefined) status.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) status.remainingTokens = remainingTokens;
  if (resetRequestsMs !== undefined) status.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) status.resetTokensMs = resetTokensMs;
  return Object.keys(status).length > 0 ? status : undefined;
}
