import { describe, expect, it } from 'vitest';
import { RateLimit } from '../../src/pool/rate-limit.js';

/** Takes greedily at every millisecond tick when allowed; returns [time, amount] of each take. */
function drive(limit: RateLimit, amountAt: (i: number) => number, untilMs: number, stepMs = 1): Array<[number, number]> {
  const takes: Array<[number, number]> = [];
  for (let now = 0; now < untilMs; now += stepMs) {
    const amount = amountAt(takes.length);
    if (limit.waitMs(amount, now) === 0) {
      limit.take(amount, now);
      takes.push([now, amount]);
    }
  }
  return takes;
}

function windowSums(takes: Array<[number, number]>, windowMs: number, from: number, to: number, step: number): number[] {
  const sums: number[] = [];
  for (let end = from; end <= to; end += step) {
    sums.push(takes.filter(([t]) => t > end - windowMs && t <= end).reduce((sum, [, a]) => sum + a, 0));
  }
  return sums;
}

describe('RateLimit', () => {
  it('spaces takes evenly at capacity per window instead of letting the whole capacity go at once', () => {
    const limit = new RateLimit({ capacity: 10, windowMs: 1000, catchUpMs: 0 });
    const takes = drive(limit, () => 1, 1000);
    expect(takes.map(([t]) => t)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('makes up a late start on the original beat, but saves nothing up over an idle spell', () => {
    const limit = new RateLimit({ capacity: 10, windowMs: 1000, catchUpMs: 50 });
    limit.take(1, 0);
    expect(limit.waitMs(1, 0)).toBe(100);
    limit.take(1, 130); // 30 ms late
    expect(limit.waitMs(1, 130)).toBe(70); // the next is still due on the beat, at 200 ms
    limit.take(1, 5000); // after an idle spell: no burst of saved-up takes
    expect(limit.waitMs(1, 5000)).toBe(100);
  });

  it('keeps every window, not just the average, between 95% and 100% of capacity under steady demand', () => {
    // Token-sized takes of varying size (each under 1% of the capacity), as a TPM limit sees them.
    const limit = new RateLimit({ capacity: 10_000, windowMs: 1000 });
    const takes = drive(limit, (i) => 20 + ((i * 7919) % 60), 10_000);
    const sums = windowSums(takes, 1000, 1000, 10_000, 7);
    expect(Math.max(...sums)).toBeLessThanOrEqual(10_000);
    expect(Math.min(...sums)).toBeGreaterThanOrEqual(9_500);
  });

  it('gives settled-down reservations back to the pace, so reserving max_tokens does not slow it', () => {
    const limit = new RateLimit({ capacity: 1000, windowMs: 1000, catchUpMs: 0 }); // 1 ms per unit
    const first = limit.take(500, 0);
    expect(limit.waitMs(100, 0)).toBe(500);
    first.settle(100); // the answer used 100 of the 500 reserved
    expect(limit.waitMs(100, 0)).toBe(100);
    expect(limit.used(0)).toBe(100);
  });

  it('never lets more than capacity into a window, even when a request used more than it reserved', () => {
    const limit = new RateLimit({ capacity: 1000, windowMs: 1000 });
    limit.take(100, 0).settle(900);
    expect(limit.waitMs(200, 900)).toBe(100); // the log, not the pace, holds this one back
    expect(limit.waitMs(100, 900)).toBe(0);
  });

  it('refuses a take that does not fit rather than going over', () => {
    const limit = new RateLimit({ capacity: 2, windowMs: 1000, catchUpMs: 0 });
    limit.take(1, 0);
    expect(() => limit.take(1, 0)).not.toThrow(); // the log has room; only the pace said wait
    expect(() => limit.take(1, 0)).toThrow(/does not fit/);
  });
});
