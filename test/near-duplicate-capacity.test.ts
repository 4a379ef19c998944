import { describe, expect, it } from 'vitest';
import { NearDuplicateIndex } from '../src/near-duplicates.js';

// A run over a million documents accepts a million outputs; the index behind the near-duplicate evaluator must
// keep a bounded window of them, or a long run's memory grows without end.

const PLACES = ['Lisbon', 'Osaka', 'Nairobi', 'Bergen', 'Cork', 'Tbilisi', 'Leeds', 'Hobart', 'Bilbao', 'Aarhus', 'Cusco', 'Kumasi'];

function output(i: number): string {
  const place = PLACES[i % PLACES.length] as string;
  return `Report ${i} describes how the harbour authority of ${place} rebuilt ${i * 7 + 3} metres of quay wall after storm number ${i} damaged the old stones near the fish market.`;
}

describe('NearDuplicateIndex capacity', () => {
  it('keeps at most `capacity` outputs per group, the most recent ones', () => {
    const index = new NearDuplicateIndex({ capacity: 4 });
    for (let i = 0; i < 10; i++) index.add('wiki', `out-${i}`, output(i));
    expect(index.size('wiki')).toBeLessThanOrEqual(4);
    expect(index.find('wiki', output(9))).toMatchObject({ id: 'out-9', similarity: 1 });
    expect(index.find('wiki', output(8))).toMatchObject({ id: 'out-8' });
    expect(index.find('wiki', output(0))).toBeNull();
  });

  it('counts each group on its own', () => {
    const index = new NearDuplicateIndex({ capacity: 4 });
    for (let i = 0; i < 10; i++) index.add('wiki', `w-${i}`, output(i));
    index.add('qa', 'q-0', output(0));
    expect(index.find('qa', output(0))).toMatchObject({ id: 'q-0' });
    expect(index.size('qa')).toBe(1);
    expect(index.size()).toBe(index.size('wiki') + 1);
  });

  it('rejects a capacity that cannot hold two generations', () => {
    expect(() => new NearDuplicateIndex({ capacity: 1 })).toThrow(/capacity/);
  });
});
