import { describe, expect, it } from 'vitest';
import { ServerReportedBudget } from '../../src/pool/server-budget.js';

describe('ServerReportedBudget', () => {
  it('knows nothing until a server reports, and then holds requests once the reported requests are used', () => {
    const budget = new ServerReportedBudget();
    expect(budget.readyAt(1000, 0)).toBe(0);
    budget.update({ remainingRequests: 2, resetRequestsMs: 3000 }, { requests: 0, tokens: 0 }, 0);
    budget.onStart(10);
    expect(budget.readyAt(10, 10)).toBe(10);
    budget.onStart(10);
    expect(budget.readyAt(10, 20)).toBe(3000);
    expect(budget.readyAt(10, 3000)).toBe(3000); // the reset has come: what it said no longer holds
  });

  it('subtracts what was sent after the reported request, since the server had not seen it yet', () => {
    const budget = new ServerReportedBudget();
    budget.update({ remainingTokens: 5000, resetTokensMs: 6000 }, { requests: 3, tokens: 4500 }, 100);
    expect(budget.readyAt(400, 100)).toBe(100);
    expect(budget.readyAt(600, 100)).toBe(6100);
  });

  it('ignores a remaining count without a reset time, which cannot say how long to wait', () => {
    const budget = new ServerReportedBudget();
    budget.update({ remainingRequests: 0, remainingTokens: 0 }, { requests: 0, tokens: 0 }, 0);
    expect(budget.readyAt(100, 0)).toBe(0);
  });
});
