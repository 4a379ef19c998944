// What a server says is left of its rate limits, read from the `x-ratelimit-*` headers OpenAI (and the
// proxies that copy it: Azure, Groq, Together, LiteLLM) send on every answer, not only on a 429. The pool uses
// them to slow an endpoint before the server starts refusing it.

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

/** The rate-limit status in `headers`, or undefined when the server sent none of the four headers. */
export function rateLimitStatusFromHeaders(headers: Headers): RateLimitStatus | undefined {
  const status: RateLimitStatus = {};
  const remainingRequests = count(headers, 'x-ratelimit-remaining-requests');
  const remainingTokens = count(headers, 'x-ratelimit-remaining-tokens');
  const resetRequestsMs = duration(headers, 'x-ratelimit-reset-requests');
  const resetTokensMs = duration(headers, 'x-ratelimit-reset-tokens');
  if (remainingRequests !== undefined) status.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) status.remainingTokens = remainingTokens;
  if (resetRequestsMs !== undefined) status.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) status.resetTokensMs = resetTokensMs;
  return Object.keys(status).length > 0 ? status : undefined;
}
