import { describe, expect, it } from 'vitest';
import { normalizeWord, parseNumeral } from '../../src/content-words.js';
import { tokenize } from '../../src/tokenize.js';

const norms = (text: string) => tokenize(text).filter((t) => t.content).map((t) => t.norm);

describe('content-word normalisation', () => {
  it('meets plural and tense forms at one key', () => {
    expect(new Set(['makes', 'making', 'made', 'make'].map(normalizeWord)).size).toBe(1);
    expect(normalizeWord('studies')).toBe(normalizeWord('study'));
    expect(normalizeWord('stopped')).toBe(normalizeWord('stop'));
    expect(normalizeWord('fell')).toBe(normalizeWord('falling'));
    expect(normalizeWord('buying')).toBe(normalizeWord('buy'));
    expect(normalizeWord('days')).toBe(normalizeWord('day'));
    expect(normalizeWord('ties')).toBe(normalizeWord('tie'));
    expect(normalizeWord('cries')).toBe(normalizeWord('cry'));
  });

  it('ignores case, diacritics and British spellings', () => {
    expect(normalizeWord('Colour')).toBe(normalizeWord('color'));
    expect(normalizeWord('organised')).toBe(normalizeWord('organized'));
    expect(normalizeWord('Aníbal')).toBe(normalizeWord('anibal'));
  });

  it('reads numbers however they are written', () => {
    expect(norms('1,000 people')).toEqual(norms('one thousand people'));
    expect(norms('$5bn')).toEqual(norms('$5 billion'));
    expect(norms('twenty-seven')).toEqual(['27']);
    expect(parseNumeral('0,712')).toBe(0.712);
    expect(parseNumeral('3rd')).toBe(3);
  });

  it('splits contractions so negations are visible', () => {
    const tokens = tokenize("It didn't rain, and they won't go.");
    expect(tokens.filter((t) => t.negation).map((t) => t.raw)).toEqual(["n't", "n't"]);
    expect(tokens.find((t) => t.raw === 'will')).toBeDefined();
  });

  it('marks words that start a sentence', () => {
    const tokens = tokenize('Rain fell. "Roads closed," police said.');
    expect(tokens.filter((t) => t.afterBreak).map((t) => t.raw)).toEqual(['Rain', 'Roads', 'police']);
  });
});
