import type { Usage } from './types.js';

export interface BudgetOptions {
  /** Prompt + completion tokens the run may use; undefined = no limit. */
  maxTokens?: number;
  /** USD the run may spend; undefined = no limit. */
  maxCost?: number;
  /** USD per million input and output tokens, by endpoint name (endpoints without prices cost nothing). */
  prices: ReadonlyMap<string, { input: number; output: number }>;
  /** What the ledger already spent in earlier runs: budgets cover the whole ledger, so a resumed run continues them. */
  alreadySpent?: { tokens: number; cost: number };
}

export interface BudgetHold {
  tokens: number;
  cost: number;
}

/** Stopped because the next request could pass `--max-cost` or `--max-tokens`; the run is resumable. */
export class BudgetExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExhaustedError';
  }
}

/**
 * Spend so far plus what requests in flight may still spend. A request is held against the budget at its
 * worst case (its prompt, all of `max_tokens`, the dearest endpoint) and settled to its reported usage,
 * so the budget is never passed however many requests run at once.
 */
export class Budget {
  private spentTokens = 0;
  private spentCost = 0;
  private heldTokens = 0;
  private heldCost = 0;
  private holds = 0;
  private waiters: Array<() => void> = [];
  private readonly dearest: { input: number; output: number };

  constructor(private readonly opts: BudgetOptions) {
    this.spentTokens = opts.alreadySpent?.tokens ?? 0;
    this.spentCost = opts.alreadySpent?.cost ?? 0;
    let input = 0;
    let output = 0;
    for (const p of opts.prices.values()) {
      input = Math.max(input, p.input);
      output = Math.max(output, p.output);
    }
    this.dearest = { input, output };
  }

  /**
   * Holds the worst case of one request. When it does not fit beside the requests in flight, waits for them
   * to settle (they usually use far less than their hold); throws BudgetExhaustedError only when it could not
   * fit even with nothing in flight.
   */
  async hold(promptTokens: number, maxCompletionTokens: number): Promise<BudgetHold> {
    const tokens = promptTokens + maxCompletionTokens;
    const cost = (promptTokens * this.dearest.input + maxCompletionTokens * this.dearest.output) / 1e6;
    for (;;) {
      const over = this.overBy(tokens, cost);
      if (over === undefined) break;
      if (this.holds === 0) throw new BudgetExhaustedError(over);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.holds++;
    this.heldTokens += tokens;
    this.heldCost += cost;
    return { tokens, cost };
  }

  private overBy(tokens: number, cost: number): string | undefined {
    const { maxTokens, maxCost } = this.opts;
    if (maxTokens !== undefined && this.spentTokens + this.heldTokens + tokens > maxTokens) {
      return `the next request could pass --max-tokens ${maxTokens} (${this.spentTokens} used so far)`;
    }
    if (maxCost !== undefined && this.spentCost + this.heldCost + cost > maxCost) {
      return `the next request could pass --max-cost ${maxCost} USD (${this.spentCost.toFixed(4)} USD spent so far)`;
    }
    return undefined;
  }

  private unhold(hold: BudgetHold): void {
    this.holds--;
    this.heldTokens -= hold.tokens;
    this.heldCost -= hold.cost;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  /** Replaces a hold by what the request really used; returns its cost in USD. Without usage, the hold is spent. */
  settle(hold: BudgetHold, endpoint: string | undefined, usage: Usage | null): number {
    let cost = hold.cost;
    if (usage === null) {
      this.spentTokens += hold.tokens;
    } else {
      const price = (endpoint && this.opts.prices.get(endpoint)) || { input: 0, output: 0 };
      cost = (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1e6;
      this.spentTokens += usage.promptTokens + usage.completionTokens;
    }
    this.spentCost += cost;
    this.unhold(hold);
    return cost;
  }

  /** A request that failed before using anything gives its hold back. */
  release(hold: BudgetHold): void {
    this.unhold(hold);
  }

  get spent(): { tokens: number; cost: number } {
    return { tokens: this.spentTokens, cost: this.spentCost };
  }
}
