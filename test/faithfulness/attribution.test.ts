import { describe, expect, it } from 'vitest';
import { attribution, type AttributionDetails } from '../../evaluators/attribution.js';
import { attributeOutput } from '../../src/attribution.js';
import type { Verdict } from '../../src/types.js';
import { context, FAITHFUL, SOURCE, verdictOf } from './fixtures.js';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) =>
  verdictOf(attribution, source, candidate, context(options)) as Verdict & { details: AttributionDetails };

describe('attribution evaluator', () => {
  it('passes a faithful paraphrase and traces each sentence to the source sentence it restates', () => {
    const verdict = judge(FAITHFUL);
    expect(verdict).toMatchObject({ pass: true, reason: 'ok' });
    const { attributions } = verdict.details;
    expect(attributions).toHaveLength(4);
    const sourceSentence = (i: number) => SOURCE.slice(attributions[i]!.sourceStart, attributions[i]!.sourceEnd);
    expect(sourceSentence(1)).toBe('It was designed by John Bradfield and built by the British firm Dorman Long.');
    expect(sourceSentence(3)).toContain('160,000 vehicles');
    for (const a of attributions) {
      expect(FAITHFUL.slice(a.outputStart, a.outputEnd).length).toBeGreaterThan(0);
      expect(a.support).toBeGreaterThanOrEqual(0.5);
      expect(a.support).toBeLessThanOrEqual(1);
    }
  });

  it('rejects an inserted sentence the source does not support, naming it', () => {
    const inserted = 'The bridge was painted bright red by volunteers who celebrated its centenary with fireworks.';
    const verdict = judge(`${FAITHFUL} ${inserted}`);
    expect(verdict).toMatchObject({ pass: false, reason: 'unsupported_sentence' });
    expect(verdict.details.unsupported.map((u) => u.sentence)).toEqual([inserted]);
    expect(verdict.details.unsupported[0]!.missing).toEqual(expect.arrayContaining(['painted', 'volunteers', 'fireworks']));
    expect(verdict.details.attributions).toHaveLength(5);
  });

  it('rejects words that traded roles: who did what', () => {
    const source = 'In the final, Spain beat Italy 4-0 in Kyiv.';
    expect(judge('In the final in Kyiv, Spain beat Italy 4-0.', {}, source)).toMatchObject({ pass: true });
    const swapped = judge('In the final, Italy beat Spain 4-0 in Kyiv.', {}, source);
    expect(swapped).toMatchObject({ pass: false, reason: 'unsupported_sentence' });
    expect(swapped.details.unsupported[0]!.swaps[0]).toMatchObject({ first: 'Italy', second: 'Spain' });
  });

  it('does not count a reordered list as swapped roles', () => {
    const source = 'The album features Mara Linde and T. R. Okafor on cello.';
    expect(judge('The album features T. R. Okafor and Mara Linde on cello.', {}, source)).toMatchObject({ pass: true });
  });

  it('does not count items of a list in the output as swapped roles, but does count swapped places', () => {
    const source = 'We talk about the matches between the Falcons and the Herons, and then the Otters and the Wolves.';
    expect(judge('They talk about the matches between the Wolves and the Otters, and the Falcons and the Herons.', {}, source)).toMatchObject({ pass: true });
    expect(judge('They talk about the matches of the Wolves vs. the Otters and the Falcons vs. the Herons.', {}, source)).toMatchObject({ pass: true });
    const places = 'The village lies east of Marrowby, south of Fenwick Green, to the west of Ashcombe, Ohio, and north of Delvin.';
    const swapped = 'The village lies east of Fenwick Green, south of Marrowby, west of Ashcombe, Ohio, and north of Delvin.';
    expect(judge(swapped, {}, places)).toMatchObject({ pass: false, reason: 'unsupported_sentence' });
  });

  it('attributes the answers of a Q/A output and not its questions', () => {
    const qa = 'Question: Who designed the bridge?\nAnswer: John Bradfield designed it.\nQuestion: How long is the arch?\nAnswer: The arch spans 503 metres.';
    const verdict = judge(qa);
    expect(verdict.pass).toBe(true);
    expect(verdict.details.shape).toBe('answers');
    expect(verdict.details.attributions.map((a) => qa.slice(a.outputStart, a.outputEnd))).toEqual([
      'John Bradfield designed it.',
      'The arch spans 503 metres.',
    ]);
  });

  it('attributes each bullet of a list and rejects the unsupported one', () => {
    const list = '- The bridge opened in 1932.\n- Its arch spans 503 metres.\n- It was the world\'s first suspension bridge made of glass.';
    const verdict = judge(list);
    expect(verdict.details.shape).toBe('bullets');
    expect(verdict).toMatchObject({ pass: false, reason: 'unsupported_sentence' });
    expect(verdict.details.unsupported.map((u) => u.sentence)).toEqual(["It was the world's first suspension bridge made of glass."]);
  });

  it('takes its threshold from the min option', () => {
    const partly = 'The bridge opened in 1932 amid great celebrations and parades.';
    expect(judge(partly, { min: 0.3 }).pass).toBe(true);
    expect(judge(partly, { min: 0.9 }).pass).toBe(false);
    expect(() => judge(partly, { min: 2 })).toThrow(/attribution.*min/);
  });

  it('expects less overlap from the summary of a conversation, which reports speech in its own words', () => {
    const chat =
      "Anna: are you coming tonight? I booked the table for 8. Ben: I can't, my train is late, sorry. " +
      'Anna: oh no. we will miss you. you can join us for dessert later if you want. Ben: I will try, thanks!';
    const summary = 'Ben cannot make the dinner Anna reserved because of a delayed train, but may come for dessert.';
    const verdict = judge(summary, { min: 0.9 }, chat);
    expect(verdict.details.min).toBe(0.2);
    expect(verdict.pass).toBe(true);
    expect(judge(summary, { min: 0.9, conversationMin: 0.9 }, chat).pass).toBe(false);
    expect(judge(summary).details.min).toBe(0.55); // the bridge article is reporting, not speech
  });

  it('does not apply to augmenting styles', () => {
    expect(attribution.appliesTo({ ...context().style, kind: 'augmenting' })).toBe(false);
  });
});

describe('attributeOutput', () => {
  it('looks only at source sentences sharing words with a unit, and prefers one sentence to three', () => {
    const { units } = attributeOutput(SOURCE, 'In 2007 the bridge joined the Australian National Heritage List.');
    expect(SOURCE.slice(units[0]!.sourceStart, units[0]!.sourceEnd)).toBe('In 2007 the bridge was added to the Australian National Heritage List.');
  });

  it('takes a sentence the source repeats word for word over earlier sentences holding the same words', () => {
    const source = 'Une fois cinq fait cinq. Deux fois cinq font dix. Trois fois cinq font quinze. Cinq fois deux font quinze.';
    const { units } = attributeOutput(source, 'Cinq fois deux font quinze.');
    expect(source.slice(units[0]!.sourceStart, units[0]!.sourceEnd)).toBe('Cinq fois deux font quinze.');
    expect(units[0]!.swaps).toEqual([]);
  });

  it('draws on adjacent sentences when one does not carry the whole unit', () => {
    const { units } = attributeOutput(SOURCE, 'Designed by John Bradfield, the bridge opened on 19 March 1932.');
    const span = SOURCE.slice(units[0]!.sourceStart, units[0]!.sourceEnd);
    expect(span).toContain('19 March 1932');
    expect(span).toContain('John Bradfield');
    expect(units[0]!.support).toBe(1);
  });
});
