import { describe, expect, it } from 'vitest';
import { detectShape, splitSentences, splitUnits } from '../../src/sentences.js';

describe('splitSentences', () => {
  it('gives offsets that slice back to each sentence', () => {
    const text = '  Rain fell all night. The river rose by two metres!\nRoads closed at dawn.  ';
    const spans = splitSentences(text);
    expect(spans.map((s) => s.text)).toEqual(['Rain fell all night.', 'The river rose by two metres!', 'Roads closed at dawn.']);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('keeps titles, initials and dotted abbreviations inside their sentence', () => {
    const text = 'Mr. Pellow met R. K. Dunmore on Nov. 9. The U.S. Bureau of Coastal Surveys approved it. Then it ended.';
    expect(splitSentences(text).map((s) => s.text)).toEqual([
      'Mr. Pellow met R. K. Dunmore on Nov. 9.',
      'The U.S. Bureau of Coastal Surveys approved it.',
      'Then it ended.',
    ]);
  });

  it('ends a sentence after an abbreviation when a new sentence clearly starts', () => {
    expect(splitSentences('He moved to the U.S. The next year he married.').map((s) => s.text)).toEqual([
      'He moved to the U.S.',
      'The next year he married.',
    ]);
  });

  it('splits text tokenised with spaces before punctuation', () => {
    const text = 'Brennick was raised in Ashford Vale , Oregon . She studied music in Port Elden .';
    expect(splitSentences(text)).toHaveLength(2);
  });
});

describe('splitUnits', () => {
  it('makes each bullet a unit, without its marker', () => {
    const text = 'Key facts:\n- The bridge opened in 1932.\n- It is 503 metres long.\n* Traffic is heavy.';
    const { shape, units } = splitUnits(text);
    expect(shape).toBe('bullets');
    expect(units.map((u) => u.text)).toEqual(['Key facts:', 'The bridge opened in 1932.', 'It is 503 metres long.', 'Traffic is heavy.']);
    for (const u of units) expect(text.slice(u.start, u.end)).toBe(u.text);
  });

  it('judges the answers of Q/A pairs and leaves the questions out', () => {
    const text = 'Question: When did the bridge open?\nAnswer: It opened in 1932.\n\nQuestion: How long is it?\nAnswer: 503 metres. It spans the bay.';
    const { shape, units } = splitUnits(text);
    expect(shape).toBe('answers');
    expect(units.map((u) => u.text)).toEqual(['It opened in 1932.', '503 metres.', 'It spans the bay.']);
  });

  it('recognises Q/A pairs whose first "Question:" label was stripped as a required prefix', () => {
    const { shape, units } = splitUnits(' When did the bridge open?\nAnswer: It opened in 1932.');
    expect(shape).toBe('answers');
    expect(units.map((u) => u.text)).toEqual(['It opened in 1932.']);
  });

  it('joins hard-wrapped lines but keeps line-initial capitals apart', () => {
    const text = 'Nothing\nis so well attested as this.\nPriya: Got it.\nOwen: fine';
    expect(splitSentences(text).map((s) => s.text)).toEqual(['Nothing\nis so well attested as this.', 'Priya: Got it.', 'Owen: fine']);
  });

  it('treats ordinary prose as sentences', () => {
    expect(detectShape('One sentence. Another one.')).toBe('sentences');
    expect(splitUnits('One sentence. Another one.', 'sentences').units).toHaveLength(2);
  });
});
