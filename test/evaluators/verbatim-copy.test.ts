import { describe, expect, it } from 'vitest';
import { verbatimCopy } from '../../evaluators/verbatim-copy.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext, paragraphsOf, wikipediaText } from './fixtures.js';

const judge = (source: string, output: string, options: Record<string, unknown> = {}) =>
  verbatimCopy.evaluate(source, output, makeContext(options));

const [GORGE, DELTA] = paragraphsOf(wikipediaText('xquad-en-41')) as [string, string];
const GORGE_REWRITE =
  'Between Bingen and Bonn the Middle Rhine runs through the Rhine Gorge, which erosion carved out. Because erosion kept ' +
  'pace with the uplift of the region, the river stayed near its original level while the land around it rose. The deep ' +
  'gorge is famous for its many castles and vineyards; a UNESCO World Heritage Site since 2002, this "Romantic Rhine" has ' +
  'more than 40 medieval castles and fortresses and many charming villages.';

describe('verbatim-copy', () => {
  it('passes a faithful paraphrase', () => {
    const verdict = judge(GORGE, GORGE_REWRITE);
    expect(verdict).toMatchObject({ evaluator: 'verbatim-copy', pass: true, reason: 'ok', details: { n: 8, max: 0.5 } });
    expect(verdict.details?.share).toBeLessThan(0.1);
    expect(verdict.score).toBeGreaterThan(0.9);
  });

  it('rejects the source handed back unchanged', () => {
    const verdict = judge(GORGE, GORGE);
    expect(verdict).toMatchObject({ pass: false, reason: 'verbatim_copy', score: 0, details: { share: 1 } });
  });

  it('sees through changes of case, punctuation and line breaks', () => {
    const restyled = GORGE.toUpperCase().replace(/,/g, '').replace(/\. /g, '.\n\n');
    expect(judge(GORGE, restyled)).toMatchObject({ pass: false, reason: 'verbatim_copy' });
  });

  it('rejects an output that copies most of its sentences, reporting the longest copied passage', () => {
    const mostlyCopied = `${GORGE.split('. ').slice(0, 3).join('. ')}. This "Romantic Rhine" is a World Heritage Site.`;
    const verdict = judge(GORGE, mostlyCopied);
    expect(verdict).toMatchObject({ pass: false, reason: 'verbatim_copy' });
    expect(verdict.details?.longestCopiedWords).toBeGreaterThan(50);
  });

  it("uses the style's limit", () => {
    const halfCopied = `${GORGE.split('. ').slice(0, 2).join('. ')}. ${GORGE_REWRITE.split('. ').slice(2).join('. ')}`;
    const share = Number(judge(GORGE, halfCopied).details?.share);
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.8);
    expect(judge(GORGE, halfCopied, { max: share - 0.05 }).pass).toBe(false);
    expect(judge(GORGE, halfCopied, { max: share + 0.05 }).pass).toBe(true);
  });

  it('only counts passages copied from its own source', () => {
    expect(judge(DELTA, GORGE).pass).toBe(true);
  });

  it('passes an output too short to have an n-gram', () => {
    expect(judge(GORGE, 'The Rhine Gorge has castles.')).toMatchObject({ pass: true, details: { ngrams: 0 } });
  });

  it('takes the n-gram length as an option', () => {
    const phrase = 'The gorge is quite deep, with many castles and vineyards.';
    expect(judge(GORGE, phrase).pass).toBe(true);
    expect(judge(GORGE, phrase, { n: 3 })).toMatchObject({ pass: false, details: { n: 3 } });
  });

  it('rejects bad options, naming the evaluator and the option', () => {
    expect(() => judge(GORGE, GORGE, { max: 1.5 })).toThrow(/evaluator "verbatim-copy", option "max"/);
    expect(() => judge(GORGE, GORGE, { n: 2.5 })).toThrow(EvaluatorOptionsError);
    expect(() => judge(GORGE, GORGE, { min: 0.1 })).toThrow(/option "min": unknown option; known options: max, n/);
  });
});
