// memoizeWords bounds the judge's per-word memos: a long run must not grow them past MAX_REMEMBERED_WORDS.
import { describe, expect, it } from 'vitest';
import { MAX_REMEMBERED_WORDS, memoizeWords } from '../src/recent-memo.js';

describe('memoizeWords', () => {
  it('computes each word once while the memo has room', () => {
    const seen: string[] = [];
    const upper = memoizeWords((word) => {
      seen.push(word);
      return word.toUpperCase();
    });
    expect([upper('a'), upper('b'), upper('a'), upper('b')]).toEqual(['A', 'B', 'A', 'B']);
    expect(seen).toEqual(['a', 'b']);
  });

  it('starts over once it holds MAX_REMEMBERED_WORDS words, so memory stays bounded', () => {
    let computed = 0;
    const length = memoizeWords((word) => {
      computed++;
      return word.length;
    });
    for (let i = 0; i < MAX_REMEMBERED_WORDS; i++) length(`w${i}`);
    length('w0');
    expect(computed).toBe(MAX_REMEMBERED_WORDS); // still remembered: the memo was just full
    length('one more'); // no room: the memo is emptied, then holds this word alone
    length('w0');
    expect(computed).toBe(MAX_REMEMBERED_WORDS + 2);
  });
});
