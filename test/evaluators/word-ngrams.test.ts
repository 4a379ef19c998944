import { describe, expect, it } from 'vitest';
import { memoizeRecent } from '../../src/recent-memo.js';
import { NgramTable, ngramHash, scanWords } from '../../src/word-ngrams.js';

const ids = (text: string) => [...scanWords(text).ids];

describe('scanWords', () => {
  it('compares words regardless of case, punctuation and inner apostrophes', () => {
    expect(ids("Don't STOP, believin'!")).toEqual(ids('dont stop believin'));
    expect(ids('The U.S. economy')).toEqual(ids('the u s economy'));
    expect(ids('naïve café')).not.toEqual(ids('naive cafe'));
  });

  it('records each word length for character fractions', () => {
    expect([...scanWords('  Rhine—gorge, 1,230 km ').lengths]).toEqual([5, 5, 1, 3, 2]);
  });

  it('splits Chinese and Japanese into characters and other scripts at non-letters', () => {
    expect(scanWords('BSkyB的标清广播').ids).toHaveLength(6);
    expect(scanWords('Ελληνικά κείμενα και ภาษาไทย').ids).toHaveLength(4);
    expect(scanWords('𠀀𠀁 text').ids).toHaveLength(3);
  });

  it('returns nothing for text without words', () => {
    expect(scanWords(' — … ! ').ids).toHaveLength(0);
  });
});

describe('NgramTable', () => {
  it('counts repeated n-grams and finds n-grams of another text', () => {
    const source = scanWords('the cat sat on the mat the cat sat').ids;
    const table = new NgramTable();
    table.reset(source, 3);
    const counts = Array.from({ length: source.length - 2 }, (_, i) => table.countAt(table.add(i)));
    expect(counts).toEqual([1, 1, 1, 1, 1, 1, 2]);
    const query = scanWords('a cat sat on a mat').ids;
    expect(table.lookup(query, 1)).toBeGreaterThanOrEqual(0); // "cat sat on"
    expect(table.lookup(query, 2)).toBe(-1); // "sat on a"
    expect(ngramHash(query, 1, 3)).toBe(ngramHash(source, 1, 3));
  });
});

describe('memoizeRecent', () => {
  it('computes once per recent key and forgets the least recently used', () => {
    const computed: string[] = [];
    const length = memoizeRecent((text: string) => {
      computed.push(text);
      return text.length;
    }, 2);
    expect([length('a'), length('bb'), length('a'), length('ccc'), length('a'), length('bb')]).toEqual([1, 2, 1, 3, 1, 2]);
    expect(computed).toEqual(['a', 'bb', 'ccc', 'bb']);
  });
});
