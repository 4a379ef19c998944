// IntMap stands in for Map<number, number> in the near-duplicate index's bucket tables: it must answer as a Map
// does through any mix of sets, updates and deletes, across the rebuilds that clear its tombstones.
import { describe, expect, it } from 'vitest';
import { IntMap } from '../src/int-map.js';
import { seededRandom } from '../scripts/bench-corpus.js';

describe('IntMap', () => {
  it('answers as a Map does through random sets, updates and deletes', () => {
    const random = seededRandom(11);
    const map = new IntMap();
    const reference = new Map<number, number>();
    // Few distinct keys: many updates, deletes and re-inserts, so tombstones pile up and rebuilds happen.
    const keyOf = (): number => Math.floor(random() * 3000) * 7919;
    for (let step = 0; step < 200_000; step++) {
      const key = keyOf();
      const r = random();
      if (r < 0.5) {
        const value = Math.floor(random() * 0x7fffffff);
        map.set(key, value);
        reference.set(key, value);
      } else if (r < 0.8) {
        expect(map.delete(key)).toBe(reference.delete(key));
      } else {
        expect(map.get(key)).toBe(reference.get(key) ?? -1);
      }
      expect(map.size).toBe(reference.size);
    }
    for (const [key, value] of reference) expect(map.get(key)).toBe(value);
  });

  it('holds the near-duplicate index\'s pattern: a window of live keys, the oldest deleted as new ones come', () => {
    const map = new IntMap();
    for (let seq = 0; seq < 100_000; seq++) {
      map.set((seq * 2_654_435_761) >>> 2, seq);
      if (seq >= 10_000) expect(map.delete(((seq - 10_000) * 2_654_435_761) >>> 2)).toBe(true);
    }
    expect(map.size).toBe(10_000);
    expect(map.get((99_999 * 2_654_435_761) >>> 2)).toBe(99_999);
    expect(map.get((80_000 * 2_654_435_761) >>> 2)).toBe(-1);
  });

  it('takes only non-negative 31-bit integers', () => {
    const map = new IntMap();
    expect(() => map.set(-1, 0)).toThrow(RangeError);
    expect(() => map.set(1, -5)).toThrow(RangeError);
    expect(() => map.set(2 ** 31, 0)).toThrow(RangeError);
    expect(() => map.set(1.5, 0)).toThrow(RangeError);
    expect(map.get(12345)).toBe(-1);
    expect(map.delete(12345)).toBe(false);
  });
});
