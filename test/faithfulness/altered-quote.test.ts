import { describe, expect, it } from 'vitest';
import { alteredQuote, type AlteredQuotation } from '../../evaluators/altered-quote.js';
import { findQuotations } from '../../src/quotations.js';
import { context, verdictOf } from './fixtures.js';

const SOURCE =
  'Northvale Dairy will withdraw 12 batches of oat yoghurt. The firm said the withdrawal concerns "a faulty cooling valve problem that could lead to a rise in temperature during delivery." No illnesses were reported.';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(alteredQuote, source, candidate, context(options));
const altered = (candidate: string) => (judge(candidate).details as { altered: AlteredQuotation[] }).altered;

describe('altered-quote evaluator', () => {
  it('passes a quotation the source has word for word, whatever its quotation marks, case and punctuation', () => {
    expect(judge('Northvale is withdrawing 12 batches over “a faulty cooling valve problem that could lead to a rise in temperature during delivery”.')).toMatchObject({ pass: true, reason: 'ok' });
    expect(judge('The fault is "A faulty cooling valve problem, that could lead to a rise in temperature."')).toMatchObject({ pass: true });
  });

  it('passes a quotation that leaves words out', () => {
    expect(judge('The withdrawal is for "a faulty valve problem that could lead to a rise in temperature".')).toMatchObject({ pass: true });
  });

  it('rejects a quotation with a word replaced, showing what the source says', () => {
    const candidate = 'Northvale will withdraw 12 batches to address a "faulty packaging problem that could lead to a rise in temperature during delivery."';
    expect(judge(candidate)).toMatchObject({ pass: false, reason: 'altered_quote' });
    expect(altered(candidate)[0]).toMatchObject({
      quote: 'faulty packaging problem that could lead to a rise in temperature during delivery.',
      source: 'faulty cooling valve problem that could lead to a rise in temperature during delivery',
    });
  });

  it('rejects a quotation with a word added', () => {
    expect(judge('The firm blamed "a faulty cooling valve problem that could never lead to a rise in temperature".')).toMatchObject({ pass: false });
  });

  it('leaves short quotations and ones that match nothing in the source to other checks', () => {
    expect(judge('Northvale calls it a "faulty problem" and a "setback".')).toMatchObject({ pass: true });
    expect(judge('The chief executive said "we are proud of our farmers and our recipes".')).toMatchObject({ pass: true });
  });

  it('takes its limits from its options', () => {
    expect(judge('Northvale calls it "a faulty packaging problem".', { minWords: 4 })).toMatchObject({ pass: false });
    expect(judge('Northvale calls it "a faulty packaging problem".', { minWords: 5 })).toMatchObject({ pass: true });
    expect(judge('Northvale calls it "a faulty packaging problem".', { recognisable: 0.8 })).toMatchObject({ pass: true });
    expect(() => judge('x', { recognisable: 2 })).toThrow(/recognisable/);
  });

  it('does not apply to augmenting styles', () => {
    expect(alteredQuote.appliesTo(context({}, { kind: 'augmenting' }).style)).toBe(false);
  });
});

describe('findQuotations', () => {
  it('finds straight, curly, typewriter and angle quotation marks but not apostrophes', () => {
    const text = `He said "one two three", then “four five” and \`\`six seven'' and «huit neuf», but the players' union's view wasn't quoted.`;
    expect(findQuotations(text).map((q) => q.text)).toEqual(['one two three', 'four five', 'six seven', 'huit neuf']);
    const [first] = findQuotations(text);
    expect(text.slice(first!.start, first!.end)).toBe('one two three');
  });
});
