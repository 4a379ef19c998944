import { describe, expect, it } from 'vitest';
import { RateBucket } from '../../src/pool/rate-bucket.js';

describe('RateBucket as a requests-per-minute limit', () => {
  it('lets capacity takes through, then says exactly when the oldest leaves the window', () => {
    const bucket = new RateBucket({ capacity: 3 });
    expect(bucket.tryTake(1, 0)).toBeDefined();
    expect(bucket.tryTake(1, 10_000)).toBeDefined();
    expect(bucket.tryTake(1, 20_000)).toBeDefined();
    expect(bucket.tryTake(1, 30_000)).toBeUndefined();
    expect(bucket.waitMs(1, 30_000)).toBe(30_000);
    expect(bucket.waitMs(1, 59_999)).toBe(1);
    expect(bucket.tryTake(1, 60_000)).toBeDefined();
    // In the window now: takes at 10 s, 20 s and 60 s. Two free units need the 10 s and 20 s takes gone.
    expect(bucket.waitMs(2, 60_000)).toBe(20_000);
  });

  it('never allows more than capacity in any window, whatever the arrival pattern', () => {
    const bucket = new RateBucket({ capacity: 5, windowMs: 1000 });
    const taken: number[] = [];
    for (let now = 0; now < 10_000; now += 37) {
      if (bucket.tryTake(1, now)) taken.push(now);
    }
    for (const start of taken) {
      expect(taken.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5);
    }
    expect(taken.length).toBeGreaterThanOrEqual(45);
  });

  it('keeps its log short under a long steady stream', () => {
    const bucket = new RateBucket({ capacity: 100, windowMs: 1000 });
    for (let now = 0; now < 200_000; now += 10) bucket.tryTake(1, now);
    expect(bucket.used(200_000)).toBeLessThanOrEqual(100);
  });
});

describe('RateBucket as a tokens-per-minute limit', () => {
  it('settles an estimate to the usage the server reported', () => {
    const bucket = new RateBucket({ capacity: 10_000 });
    const reservation = bucket.tryTake(4000, 0);
    expect(bucket.tryTake(7000, 1000)).toBeUndefined();
    reservation?.settle(2500);
    expect(bucket.used(1000)).toBe(2500);
    expect(bucket.tryTake(7000, 1000)).toBeDefined();
    expect(bucket.waitMs(1000, 2000)).toBe(58_000);
  });

  it('a settle after the take left the window changes nothing', () => {
    const bucket = new RateBucket({ capacity: 100, windowMs: 1000 });
    const reservation = bucket.tryTake(50, 0);
    expect(bucket.used(1000)).toBe(0);
    reservation?.settle(90);
    expect(bucket.used(1000)).toBe(0);
  });

  it('lets one request larger than the whole budget through once the window is empty', () => {
    const bucket = new RateBucket({ capacity: 1000 });
    bucket.tryTake(10, 0);
    expect(bucket.waitMs(5000, 0)).toBe(60_000);
    expect(bucket.tryTake(5000, 60_000)).toBeDefined();
  });

  it('rejects a budget it cannot enforce', () => {
    expect(() => new RateBucket({ capacity: 0 })).toThrow(/capacity/);
    expect(() => new RateBucket({ capacity: 10, windowMs: Number.POSITIVE_INFINITY })).toThrow(/windowMs/);
  });
});
