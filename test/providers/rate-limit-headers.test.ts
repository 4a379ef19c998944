import { describe, expect, it } from 'vitest';
import { rateLimitStatusFromHeaders } from '../../src/providers/rate-limit-headers.js';

describe('rateLimitStatusFromHeaders', () => {
  it('reads what OpenAI sends with every answer', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-tokens': '186020',
      'x-ratelimit-reset-tokens': '4.194s',
    });
    expect(rateLimitStatusFromHeaders(headers)).toEqual({
      limitRequests: 500,
      limitTokens: 200_000,
      remainingRequests: 499,
      resetRequestsMs: 120,
      remainingTokens: 186_020,
      resetTokensMs: 4194,
    });
  });

  it('keeps what is there when a server sends only some of them', () => {
    expect(rateLimitStatusFromHeaders(new Headers({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m0s' }))).toEqual({
      remainingTokens: 0,
      resetTokensMs: 60_000,
    });
  });

  it('says nothing for answers without them, or with values it cannot read', () => {
    expect(rateLimitStatusFromHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(rateLimitStatusFromHeaders(new Headers({ 'x-ratelimit-remaining-requests': 'lots', 'x-ratelimit-reset-requests': 'soon' }))).toBeUndefined();
  });
});
