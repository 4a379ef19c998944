import { describe, expect, it } from 'vitest';
import { language } from '../../evaluators/language.js';
import { context, FAITHFUL, SOURCE, verdictOf } from './fixtures.js';

const FRENCH =
  "Le pont du port de Sydney a été inauguré le 19 mars 1932 après huit années de travaux. Il a été conçu par John Bradfield et construit par l'entreprise britannique Dorman Long.";

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(language, source, candidate, context(options));

describe('language evaluator', () => {
  it('passes an output in the language of its source, even when a close relative scores a hair higher', () => {
    const verdict = judge(FAITHFUL);
    // franc ranks Scots just above English for this paraphrase: a close relative of English, so it passes
    // without any score margin.
    expect(verdict).toMatchObject({ pass: true, details: { expected: 'eng', checked: true } });
    expect(['eng', 'sco']).toContain((verdict.details as { detected: string }).detected);
    expect(judge(FAITHFUL, { minScore: 1 }).pass).toBe(true);
  });

  it('rejects an output in another language', () => {
    expect(judge(FRENCH)).toMatchObject({ pass: false, reason: 'language_mismatch', details: { expected: 'eng', detected: 'fra' } });
  });

  it('checks against the target option instead, in ISO 639-1 or 639-3', () => {
    expect(judge(FRENCH, { target: 'fr' }).pass).toBe(true);
    expect(judge(FRENCH, { target: 'fra' }).pass).toBe(true);
    expect(judge(FAITHFUL, { target: 'fr' }).pass).toBe(false);
    expect(() => judge(FRENCH, { target: 'French' })).toThrow(/language.*target/);
  });

  it('passes texts too short to identify', () => {
    expect(judge('Oui, merci.')).toMatchObject({ pass: true, details: { checked: false } });
  });
});
