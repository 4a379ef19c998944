import { describe, expect, it } from 'vitest';
import { alteredQuote, type AlteredQuotation } from '../../evaluators/altered-quote.js';
import { findQuotations } from '../../src/quotations.js';
import { context, verdictOf } from './fixtures.js';

const SOURCE =
  'Lordstown will recall 19 Endurance pickups. The company said the recall addresses "a specific electrical connection issue that could result in a loss of propulsion while driving." No injuries were reported.';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(alteredQuote, source, candidate, context(options));
const altered = (candidate: string) => (judge(candidate).details as { altered: AlteredQuotation[] }).altered;

describe('altered-quote evaluator', () => {
  it('passes a quotation the source has word for word, whatever its quotation marks, case and punctuation', () => {
    expect(judge('Lordstown is recalling 19 pickups over “a specific electrical connection issue that could result in a loss of propulsion while driving”.')).toMatchObject({ pass: true, reason: 'ok' });
    expect(judge('The fault is "A specific electrical connection issue, that could result in a loss of propulsion."')).toMatchObject({ pass: true });
  });

  it('passes a quotation that leaves words out', () => {
    expect(judge('The recall is for "a specific electrical issue that could result in a loss of propulsion".')).toMatchObject({ pass: true });
  });

  it('rejects a quotation with a word replaced, showing what the source says', () => {
    const verdict = judge('Lordstown will recall 19 pickups to address a "specific software issue that could result in a loss of propulsion while driving."');
    expect(verdict).toMatchObject({ pass: false, reason: 'altered_quote' });
    expect(altered('Lordstown will recall 19 pickups to address a "specific software issue that could result in a loss of propulsion while driving."')[0]).toMatchObject({
      quote: 'specific software issue that could result in a loss of propulsion while driving.',
      source: 'specific electrical connection issue that could result in a loss of propulsion while driving',
    });
  });

  it('rejects a quotation with a word added', () => {
    expect(judge('The company blamed "a specific electrical connection issue that could never result in a loss of propulsion".')).toMatchObject({ pass: false });
  });

  it('leaves short quotations and ones that match nothing in the source to other checks', () => {
    expect(judge('Lordstown calls it a "specific issue" and a "setback".')).toMatchObject({ pass: true });
    expect(judge('The chief executive said "we are proud of our team and our trucks".')).toMatchObject({ pass: true });
  });

  it('takes its limits from its options', () => {
    expect(judge('Lordstown calls it "a specific software issue".', { minWords: 4 })).toMatchObject({ pass: false });
    expect(judge('Lordstown calls it "a specific software issue".', { minWords: 5 })).toMatchObject({ pass: true });
    expect(judge('Lordstown calls it "a specific software issue".', { recognisable: 0.8 })).toMatchObject({ pass: true });
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
