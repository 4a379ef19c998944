import { describe, expect, it } from 'vitest';
import { preamble } from '../../evaluators/preamble.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext, paragraphsOf, wikipediaText } from './fixtures.js';

const SOURCE = paragraphsOf(wikipediaText('xquad-en-41'))[0]!;
const REWRITE =
  'Between Bingen and Bonn the Middle Rhine runs through the Rhine Gorge, which erosion carved out. Because erosion kept ' +
  'pace with the uplift of the region, the river stayed near its original level while the land around it rose. The deep ' +
  'gorge is famous for its many castles and vineyards; a UNESCO World Heritage Site since 2002, this "Romantic Rhine" has ' +
  'more than 40 medieval castles and fortresses and many charming villages.';

const judge = (text: string, options: Record<string, unknown> = {}, source = SOURCE) => preamble.evaluate(source, text, makeContext(options));

describe('preamble', () => {
  it('passes a faithful rewrite', () => {
    expect(judge(REWRITE)).toMatchObject({ evaluator: 'preamble', pass: true, reason: 'ok', score: 1 });
  });

  it.each([
    ["Here's a rewritten version of the passage:\n\n", "here's a rewritten"],
    ['Sure! Here is the text in simpler words.\n\n', 'sure!'],
    ['Certainly. ', 'certainly.'],
    ['Okay, here is the simplified version.\n', 'okay, here'],
    ['**Below is a paraphrase of the text:**\n\n', 'below is a paraphrase'],
    ['I have rewritten the passage in an encyclopedic style.\n\n', 'i have rewritten'],
    ['Rewritten version:\n', 'rewritten version:'],
    ["Let me rewrite this for a younger reader.\n\n", 'let me rewrite'],
  ])('rejects an opening that talks to the user: %j', (opening, phrase) => {
    const verdict = judge(opening + REWRITE);
    expect(verdict).toMatchObject({ pass: false, reason: 'preamble', score: 0, details: { where: 'opening' } });
    expect(String(verdict.details?.phrase)).toContain(phrase);
  });

  it.each([
    ['\n\nI hope this helps!', 'i hope this'],
    [' Let me know if you would like any changes.', 'let me know'],
    ['\n\n(Note: I removed the citation markers.)', '(note'],
    ['\n\nNote: I kept every number exactly as in the original.', 'note: i'],
    ['\n\nThis rewrite preserves all the facts of the original passage.', 'this rewrite preserves'],
    ['\n\nIf you need any further simplification, just ask.', 'if you need any'],
  ])('rejects a closing comment about the rewrite: %j', (closing, phrase) => {
    const verdict = judge(REWRITE + closing);
    expect(verdict).toMatchObject({ pass: false, reason: 'meta_commentary', details: { where: 'closing' } });
    expect(String(verdict.details?.phrase)).toContain(phrase);
  });

  it.each([
    "I'm sorry, but I can't help with rewriting this text.",
    'As an AI language model, I cannot reproduce copyrighted text.',
    'I cannot rewrite this passage because it contains instructions.',
    'Unfortunately, I am unable to complete this request.',
  ])('rejects a refusal: %j', (text) => {
    expect(judge(text)).toMatchObject({ pass: false, reason: 'refusal' });
  });

  it('rejects an assistant disclaimer in the middle of the text', () => {
    const verdict = judge(`The Rhine is long. As an AI language model, I do not have opinions. ${REWRITE}`);
    expect(verdict).toMatchObject({ pass: false, reason: 'refusal', details: { where: 'anywhere' } });
  });

  it('leaves the same words alone in the middle of real text', () => {
    const text = `Paris lies on the Seine. Here is the capital of France, home to the Louvre. "I hope this helps tourism," the mayor said. ${REWRITE}`;
    expect(judge(text).pass).toBe(true);
  });

  it.each([
    'Certainly the Rhine is one of the longest rivers in Europe, and its gorge is famous.',
    'Of course, the Rhine Gorge was formed by erosion over a long time.',
    'Here is where the Middle Rhine flows through a deep gorge formed by erosion.',
  ])('accepts an opening that only looks like a preamble: %j', (text) => {
    expect(judge(text).pass).toBe(true);
  });

  it('accepts closing paragraphs about versions and notes that are content', () => {
    expect(judge(`${REWRITE}\n\nThe revised version was adopted in 1998.`).pass).toBe(true);
    expect(judge(`${REWRITE}\n\nThis version is the one most visitors know.`).pass).toBe(true);
  });

  it('accepts chat-like phrases the source itself contains', () => {
    const letter = 'Dear Anna,\nThe meeting moves to Friday at the town hall.\nLet me know if you can come.\nBest, Tom';
    const rewrite = 'Tom tells Anna that the meeting is now on Friday at the town hall.\nLet me know if you can come.';
    expect(judge(rewrite, {}, letter).pass).toBe(true);
  });

  it('can switch off one kind of check', () => {
    expect(judge(`${REWRITE}\n\nI hope this helps!`, { metaCommentary: false }).pass).toBe(true);
    expect(judge(`Sure! ${REWRITE}`, { metaCommentary: false })).toMatchObject({ pass: false, reason: 'preamble' });
  });

  it('rejects an option of the wrong type, naming the evaluator and the option', () => {
    expect(() => judge(REWRITE, { refusal: 'yes' })).toThrow(EvaluatorOptionsError);
    expect(() => judge(REWRITE, { refusal: 'yes' })).toThrow(/evaluator "preamble", option "refusal"/);
    expect(() => judge(REWRITE, { refusals: false })).toThrow(/option "refusals": unknown option; known options: preamble, metaCommentary, refusal/);
  });
});
