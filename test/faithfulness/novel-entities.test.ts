import { describe, expect, it } from 'vitest';
import { novelEntities } from '../../evaluators/novel-entities.js';
import { findEntities } from '../../src/entities.js';
import { context, FAITHFUL, SOURCE, verdictOf } from './fixtures.js';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(novelEntities, source, candidate, context(options));

describe('novel-entities evaluator', () => {
  it('passes a faithful paraphrase', () => {
    expect(judge(FAITHFUL)).toMatchObject({ pass: true, reason: 'ok' });
  });

  it('rejects a swapped name and says which', () => {
    const verdict = judge('The Harbour Bridge was designed by John Bradfield and built by the French firm Eiffel.');
    expect(verdict).toMatchObject({ pass: false, reason: 'novel_entity', details: { novel: ['French', 'Eiffel'] } });
  });

  it('rejects an added place', () => {
    expect(judge('The bridge in Sydney, near Melbourne, opened in 1932.')).toMatchObject({ pass: false, details: { novel: ['Melbourne'] } });
  });

  it('accepts part of a name, any case, and a nationality for its country', () => {
    const source = 'Hilda Okonkwo, a chemist from Chile, met officials of the Northern Tidal Authority.';
    expect(judge('Okonkwo, a Chilean chemist, met the NTA.', {}, source)).toMatchObject({ pass: true });
    expect(judge('OKONKWO met them.', {}, source)).toMatchObject({ pass: true });
  });

  it('does not take a capital at the start of a sentence for a name', () => {
    expect(judge('Roughly 160,000 vehicles cross daily. Northbound trips are free.')).toMatchObject({ pass: true });
  });

  it('does not run a name on past the end of its paragraph', () => {
    // A QA answer ending in an initial, then the next question: "D." and "Question" are not one name.
    const source = 'SQLite was written by D. Richard Hipp in 2000. It is used in every major web browser.';
    const candidate = 'Question: Who wrote SQLite?\nAnswer: It was written by D. Richard Hipp.\n\nQuestion: Where is it used?\nAnswer: In every major web browser.';
    expect(judge(candidate, {}, source)).toMatchObject({ pass: true });
    expect(findEntities('Made by D.\n\nQuestion time').map((e) => e.text)).not.toContain('D.\n\nQuestion');
  });

  it('accepts names listed in the allowed option', () => {
    const candidate = 'According to Wikipedia, the bridge opened in 1932.';
    expect(judge(candidate).pass).toBe(false);
    expect(judge(candidate, { allowed: ['Wikipedia'] }).pass).toBe(true);
  });

  it('finds added first names in a lower-cased output through the surnames of its source', () => {
    const source = 'The union chief spoke on Monday. Ms Quillby said the strike would go ahead.';
    expect(judge('rail union chief nora quillby said the strike would go ahead.', {}, source)).toMatchObject({
      pass: false,
      details: { novel: ['nora quillby'] },
    });
    expect(judge('the union chief, quillby, said the strike would go ahead.', {}, source)).toMatchObject({ pass: true });
  });

  it('takes the last word of a place or a school for a surname only when the source never writes it in lower case', () => {
    const source = 'The project began at Millbeck Grammar School in Tarrow. United drew at Fenmoor Lane. Every grammar school will take part.';
    expect(judge('pupils who finish grammar school get a reading list for the summer.', {}, source)).toMatchObject({ pass: true });
    expect(judge('united drew at harrow lane.', {}, source)).toMatchObject({ pass: false, details: { novel: ['harrow lane'] } });
  });

  it('does not take a redacted value for a name', () => {
    const source = 'Support Rep: The Gold tier costs just $XXX per year.';
    expect(judge('The rep quotes the Gold tier at $XXXX per year.', {}, source)).toMatchObject({ pass: true });
  });
});

describe('findEntities', () => {
  it('joins multi-word names, initials and connectors, and leaves titles out of the keys', () => {
    const mentions = findEntities('Yesterday Mr Alden Brisk met R. K. Dunmore at the Guild of Weavers and the QPX.');
    expect(mentions.map((m) => m.text)).toEqual(['Mr Alden Brisk', 'R. K. Dunmore', 'Guild of Weavers', 'QPX']);
    expect(mentions[0]!.keys).toEqual(['alden', 'brisk']);
    expect(mentions[3]!.kind).toBe('acronym');
  });
});
