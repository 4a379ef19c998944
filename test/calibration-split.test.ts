import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainOf, heldOut } from '../scripts/calibration-split.js';

const judgeDev = (set: string) =>
  readFileSync(new URL(`../../shared/judge-dev/${set}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; source: string });

describe('the calibration split', () => {
  it('puts every pair of one source document in the same half, and about half the documents in each', () => {
    for (const set of ['summedits', 'xsumfaith', 'paws']) {
      const halfOf = new Map<string, boolean>();
      for (const pair of judgeDev(set)) {
        const held = heldOut(pair.source);
        expect(halfOf.get(pair.source) ?? held, `${set}: ${pair.id}`).toBe(held);
        halfOf.set(pair.source, held);
      }
      const share = [...halfOf.values()].filter(Boolean).length / halfOf.size;
      expect(share, set).toBeGreaterThan(0.3);
      expect(share, set).toBeLessThan(0.7);
    }
  });

  it('reads the domain off a pair id', () => {
    expect(domainOf('summedits-sales_call-19_8')).toBe('sales_call');
    expect(domainOf('summedits-news-63f9455b8d931ba6e664fb85_5')).toBe('news');
    expect(domainOf('xsumfaith-13599161-TConvS2S')).toBe('TConvS2S');
    expect(domainOf('paws-wiki-dev-118')).toBe('paws');
  });
});
