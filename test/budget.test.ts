import { describe, expect, it } from 'vitest';
import { Budget, BudgetExhaustedError } from '../src/budget.js';

const prices = new Map([['a', { input: 1, output: 2 }]]);

describe('Budget', () => {
  it('lets a request that does not fit beside those in flight wait for them instead of stopping the run', async () => {
    const budget = new Budget({ maxTokens: 1500, prices });
    const first = await budget.hold(100, 900);
    let second: Promise<unknown> | undefined = budget.hold(100, 900);
    let settled = false;
    void second.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    budget.settle(first, 'a', { promptTokens: 100, completionTokens: 50 });
    await second;
    expect(settled).toBe(true);
    second = undefined;
    expect(budget.spent.tokens).toBe(150);
  });

  it('stops when a request could pass the budget with nothing in flight', async () => {
    const budget = new Budget({ maxTokens: 1000, prices, alreadySpent: { tokens: 500, cost: 0 } });
    await expect(budget.hold(100, 900)).rejects.toThrow(BudgetExhaustedError);
    await expect(budget.hold(100, 900)).rejects.toThrow(/--max-tokens 1000 \(500 used so far\)/);
  });

  it('charges the reported usage at the endpoint price, and the whole hold when usage is missing', async () => {
    const budget = new Budget({ maxCost: 1, prices });
    const h = await budget.hold(1000, 1000);
    expect(budget.settle(h, 'a', { promptTokens: 1000, completionTokens: 10 })).toBeCloseTo((1000 * 1 + 10 * 2) / 1e6);
    const h2 = await budget.hold(1000, 1000);
    expect(budget.settle(h2, 'a', null)).toBeCloseTo((1000 * 1 + 1000 * 2) / 1e6);
    expect(budget.spent.tokens).toBe(1010 + 2000);
  });
});
