import { describe, expect, it } from 'vitest';
import { ServerReportedBudget } from '../../src/pool/server-budget.js';
import type { SentEntry } from '../../src/pool/sent-log.js';

const MINUTE = 60_000;
const request = { requests: 1, tokens: 0 };

/** A budget over one-minute windows, with `marginMs` for a request's trip. */
function budgetOf(marginMs = 0, configured: { rpm?: number; tpm?: number } = {}) {
  return new ServerReportedBudget({ windowMs: MINUTE, marginMs, ...configured });
}

/** Sends `count` requests of `tokens` each, `everyMs` apart from `from`; returns them in order. */
function sendEvenly(budget: ServerReportedBudget, count: number, from: number, everyMs: number, tokens = 0): SentEntry[] {
  return Array.from({ length: count }, (_, i) => budget.onStart({ requests: 1, tokens }, from + i * everyMs));
}

describe('ServerReportedBudget', () => {
  it('knows nothing until a server reports, and then holds requests once the reported requests are used', () => {
    const budget = budgetOf();
    expect(budget.readyAt({ requests: 1, tokens: 1000 }, 0)).toBe(0);
    const first = budget.onStart(request, 0);
    // No limit reported or configured: nothing is known to come back before the reset.
    budget.update({ remainingRequests: 2, resetRequestsMs: 3000 }, first, 0);
    budget.onStart(request, 10);
    expect(budget.readyAt(request, 10)).toBe(10);
    budget.onStart(request, 20);
    expect(budget.readyAt(request, 20)).toBe(3000);
    expect(budget.readyAt(request, 3000)).toBe(3000); // the reset has come: what it said no longer holds
  });

  it('subtracts what was sent after the reported request, since the server had not seen it yet', () => {
    const budget = budgetOf();
    const reported = budget.onStart({ requests: 1, tokens: 100 }, 0);
    sendEvenly(budget, 3, 1, 1, 1500);
    budget.update({ remainingTokens: 5000, resetTokensMs: 6000 }, reported, 100);
    expect(budget.readyAt({ requests: 1, tokens: 400 }, 100)).toBe(100);
    expect(budget.readyAt({ requests: 1, tokens: 600 }, 100)).toBe(6100);
  });

  it('counts what was sent after the report at its usage once that is known', () => {
    const budget = budgetOf();
    const reported = budget.onStart({ requests: 1, tokens: 100 }, 0);
    const later = budget.onStart({ requests: 1, tokens: 4500 }, 1);
    budget.update({ remainingTokens: 5000, resetTokensMs: 6000 }, reported, 100);
    expect(budget.readyAt({ requests: 1, tokens: 600 }, 100)).toBe(6100);
    budget.settle(later, 700);
    expect(budget.readyAt({ requests: 1, tokens: 600 }, 100)).toBe(100);
  });

  it('ignores a remaining count without a reset time, which cannot say how long to wait', () => {
    const budget = budgetOf();
    const sent = budget.onStart(request, 0);
    budget.update({ remainingRequests: 0, remainingTokens: 0 }, sent, 0);
    expect(budget.readyAt({ requests: 1, tokens: 100 }, 0)).toBe(0);
  });

  it('reads an exhausted budget as refilling over the reset, not as closed until it', () => {
    // 600 RPM kept exactly: one request every 100 ms for a minute, the last answered with nothing left and the
    // sliding window whole again in a minute (when that last request leaves it).
    const budget = budgetOf();
    const sent = sendEvenly(budget, 600, 0, 100);
    const last = sent.at(-1) as SentEntry;
    budget.update({ limitRequests: 600, remainingRequests: 0, resetRequestsMs: MINUTE }, last, last.at);
    const now = last.at;
    // The request sent at 100 ms leaves the window at 60 100 ms; a token bucket refills one in 100 ms too.
    expect(budget.readyAt(request, now)).toBe(60_000);
    expect(budget.readyAt({ requests: 2, tokens: 0 }, now)).toBe(60_100);
    expect(budget.readyAt({ requests: 10, tokens: 0 }, now)).toBe(60_900);
  });

  it('waits for a burst to leave a sliding window, however fast a token bucket would refill', () => {
    // All 600 in the first 6 s: a sliding window frees none of them until a minute after each was sent.
    const budget = budgetOf(1000);
    const last = sendEvenly(budget, 600, 0, 10).at(-1) as SentEntry;
    budget.update({ limitRequests: 600, remainingRequests: 0, resetRequestsMs: MINUTE - 5 }, last, 5995);
    // Refilling at 600 a minute would allow one at 6095 ms and 100 at 15 995 ms; but the first of the burst
    // leaves the window at 0 + 60 s + the 1 s margin, the hundredth at 990 ms + 61 s.
    expect(budget.readyAt(request, 5995)).toBe(61_000);
    expect(budget.readyAt({ requests: 100, tokens: 0 }, 5995)).toBe(61_990);
  });

  it('counts a token bucket’s refill once: an old burst leaving the window frees nothing it had not refilled', () => {
    // 300 sent at once, then a minute later 600 more: a token bucket that refilled in between is empty again.
    const budget = budgetOf(0);
    sendEvenly(budget, 300, 0, 0);
    const sent = sendEvenly(budget, 600, 59_000, 0);
    const last = sent.at(-1) as SentEntry;
    budget.update({ limitRequests: 600, remainingRequests: 0, resetRequestsMs: MINUTE }, last, 59_000);
    // The burst leaving our window at 60 s would say 300 are free; the bucket has refilled 10 by then.
    expect(budget.readyAt({ requests: 100, tokens: 0 }, 60_000)).toBe(69_000);
  });

  it('frees nothing when a request it may never have counted leaves the window', () => {
    const budget = budgetOf(0);
    for (const refused of sendEvenly(budget, 5, 0, 1)) budget.onFailed(refused);
    const last = sendEvenly(budget, 5, 30_000, 1).at(-1) as SentEntry;
    budget.update({ limitRequests: 10, remainingRequests: 0, resetRequestsMs: 30_000 }, last, 30_010);
    // The five refused requests leave our window at 60 000–60 004, but the budget is only whole at 60 010.
    expect(budget.readyAt({ requests: 5, tokens: 0 }, 60_004)).toBe(60_010);
  });

  it('after the reset the budget is whole, less what was sent since the report', () => {
    const budget = budgetOf();
    const reported = budget.onStart(request, 0);
    budget.update({ limitRequests: 10, remainingRequests: 0, resetRequestsMs: 30_000 }, reported, 5);
    sendEvenly(budget, 8, 40_000, 1);
    expect(budget.readyAt({ requests: 2, tokens: 0 }, 40_010)).toBe(40_010);
    expect(budget.readyAt({ requests: 3, tokens: 0 }, 40_010)).toBe(100_000); // when the first of the 8 leaves
  });

  it('takes the configured limit when the server reports none', () => {
    const told = budgetOf(0, { rpm: 600 });
    const untold = budgetOf(0);
    for (const budget of [told, untold]) {
      const last = sendEvenly(budget, 600, 0, 100).at(-1) as SentEntry;
      budget.update({ remainingRequests: 0, resetRequestsMs: MINUTE }, last, last.at);
    }
    expect(told.readyAt({ requests: 2, tokens: 0 }, 59_900)).toBe(60_100);
    expect(untold.readyAt({ requests: 2, tokens: 0 }, 59_900)).toBe(119_900);
  });

  it('keeps the newest report when answers come back out of order', () => {
    const budget = budgetOf();
    const older = budget.onStart(request, 0);
    const newer = budget.onStart(request, 1);
    budget.update({ remainingRequests: 5, resetRequestsMs: 1000 }, newer, 10);
    budget.update({ remainingRequests: 0, resetRequestsMs: 1000 }, older, 11);
    expect(budget.readyAt({ requests: 5, tokens: 0 }, 11)).toBe(11);
  });
});
