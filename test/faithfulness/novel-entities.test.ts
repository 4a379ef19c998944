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
    const source = 'Scott Johnson, a mathematician from Mexico, met officials of the British Geological Survey.';
    expect(judge('Johnson, a Mexican mathematician, met the BGS.', {}, source)).toMatchObject({ pass: true });
    expect(judge('JOHNSON met them.', {}, source)).toMatchObject({ pass: true });
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
    const source = 'The party leader spoke on Friday. Mr Farron said the vote mattered.';
    expect(judge('liberal democrat leader tim farron said the vote mattered.', {}, source)).toMatchObject({
      pass: false,
      details: { novel: ['tim farron'] },
    });
    expect(judge('the party leader, farron, said the vote mattered.', {}, source)).toMatchObject({ pass: true });
  });

  it('takes the last word of a place or a school for a surname only when the source never writes it in lower case', () => {
    const source = 'The scheme started at Carrick Primary School in Lurgan. Rangers lost at Loftus Road. Every primary school will join.';
    expect(judge('pupils about to leave primary school are taught to cope with stress.', {}, source)).toMatchObject({ pass: true });
    expect(judge('rangers lost at carrow road.', {}, source)).toMatchObject({ pass: false, details: { novel: ['carrow road'] } });
  });

  it('does not take a redacted value for a name', () => {
    const source = 'Sales Agent: The Silver plan is only $XXX a month.';
    expect(judge('The agent offers the Silver plan for $XXXX a month.', {}, source)).toMatchObject({ pass: true });
  });
});

describe('findEntities', () => {
  it('joins multi-word names, initials and connectors, and leaves titles out of the keys', () => {
    const mentions = findEntities('Yesterday Mr Scott White met J. J. Johnson at the Bank of England and the BBC.');
    expect(mentions.map((m) => m.text)).toEqual(['Mr Scott White', 'J. J. Johnson', 'Bank of England', 'BBC']);
    expect(mentions[0]!.keys).toEqual(['scott', 'white']);
    expect(mentions[3]!.kind).toBe('acronym');
  });
});
