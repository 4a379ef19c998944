import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from '../../src/pool/aimd.js';

describe('AdaptiveConcurrency', () => {
  it('starts at its cap', () => {
    expect(new AdaptiveConcurrency(16).limit).toBe(16);
  });

  it('halves once for a burst of 429s from requests already in flight', () => {
    const c = new AdaptiveConcurrency(16);
    // Sixteen requests were started (sequence numbers 0..15); all of them come back 429.
    const lowered = Array.from({ length: 16 }, (_, seq) => c.onRateLimited(seq, 16));
    expect(lowered.filter(Boolean)).toHaveLength(1);
    expect(c.limit).toBe(8);
  });

  it('halves again for a 429 of a request sent after the last decrease', () => {
    const c = new AdaptiveConcurrency(16);
    c.onRateLimited(3, 16);
    expect(c.onRateLimited(15, 20)).toBe(false); // sent before the decrease
    expect(c.onRateLimited(16, 20)).toBe(true); // sent after it: the lower limit is still too high
    expect(c.limit).toBe(4);
  });

  it('never goes below one request in flight', () => {
    const c = new AdaptiveConcurrency(4);
    for (let seq = 0; seq < 10; seq++) c.onRateLimited(seq, seq + 1);
    expect(c.limit).toBe(1);
  });

  it('gains one slot per full window of successes, up to its cap', () => {
    const c = new AdaptiveConcurrency(8);
    c.onRateLimited(0, 1);
    expect(c.limit).toBe(4);
    for (let i = 0; i < 3; i++) c.onSuccess();
    expect(c.limit).toBe(4); // 3 of the 4 successes a step needs
    c.onSuccess();
    expect(c.limit).toBe(5);
    for (let i = 0; i < 5; i++) c.onSuccess();
    expect(c.limit).toBe(6);
    for (let i = 0; i < 100; i++) c.onSuccess();
    expect(c.limit).toBe(8);
  });

  it('rejects a cap below one', () => {
    expect(() => new AdaptiveConcurrency(0)).toThrow(/max/);
  });
});
