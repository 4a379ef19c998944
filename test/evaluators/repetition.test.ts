import { describe, expect, it } from 'vitest';
import { repetition } from '../../evaluators/repetition.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext, paragraphsOf, wikipediaText } from './fixtures.js';

const judge = (text: string, options: Record<string, unknown> = {}) => repetition.evaluate('', text, makeContext(options));
const realParagraphs = ['xquad-en-00', 'xquad-en-41', 'xquad-en-20'].flatMap((id) => paragraphsOf(wikipediaText(id)));
const paragraph = realParagraphs[0]!;

describe('repetition', () => {
  it('passes real encyclopedia paragraphs', () => {
    expect(realParagraphs.length).toBeGreaterThan(10);
    for (const text of realParagraphs) expect(judge(text), text.slice(0, 60)).toMatchObject({ pass: true, reason: 'ok' });
  });

  it('passes a whole multi-paragraph article', () => {
    expect(judge(wikipediaText('xquad-en-00')).pass).toBe(true);
  });

  it('passes question-answer pairs, whose labels and subjects recur by design', () => {
    const pairs = [
      ['How many points did the Panthers defense give up?', 'The Panthers defense gave up just 308 points, sixth in the league.'],
      ['How many interceptions did the Panthers defense have?', 'The Panthers defense led the NFL with 24 interceptions.'],
      ['Who led the Panthers in sacks?', 'Kawann Short led the Panthers in sacks with 11.'],
      ['How many sacks did Mario Addison add for the Panthers?', 'Mario Addison added 6½ sacks for the Panthers.'],
      ['Which Panthers linebackers were selected for the Pro Bowl?', 'Thomas Davis and Luke Kuechly were selected for the Pro Bowl.'],
      ['Who led the Panthers in tackles?', 'Luke Kuechly led the Panthers in tackles with 118.'],
      ['How many interceptions did Kurt Coleman have?', 'Kurt Coleman had a career high of seven interceptions.'],
    ];
    const text = pairs.map(([q, a]) => `Question: ${q}\nAnswer: ${a}`).join('\n\n');
    expect(judge(text)).toMatchObject({ pass: true, reason: 'ok' });
  });

  it('rejects a sampler stuck in a loop, saying which measure tripped', () => {
    const looping = `${paragraph} ${'The Panthers defense gave up just 308 points, ranking sixth in the league. '.repeat(6)}`;
    const verdict = judge(looping);
    expect(verdict).toMatchObject({ evaluator: 'repetition', pass: false, reason: 'degenerate_repetition' });
    expect(String(verdict.details?.measure)).toMatch(/^duplicate_\d+gram_char_fraction$/);
    expect(verdict.details?.value).toBeGreaterThan(Number(verdict.details?.threshold));
    expect(verdict.score).toBeLessThan(0.5);
  });

  it('rejects a list that repeats its lines', () => {
    const lines = ['- The Rhine flows through the Rhine Gorge.', '- The gorge has many castles.', '- The Rhine flows through the Rhine Gorge.', '- The gorge has many castles.'];
    expect(judge([...lines, '- It is a World Heritage Site.'].join('\n'))).toMatchObject({
      pass: false,
      details: { measure: 'duplicate_line_fraction', value: 0.4, threshold: 0.3 },
    });
  });

  it('rejects one phrase hammered through a long text (top n-gram)', () => {
    const words = paragraph.split(/\s+/).slice(0, 40).join(' ');
    const text = `${words} ${Array.from({ length: 12 }, (_, i) => `of the ${['league', 'team', 'game', 'season'][i % 4]}`).join(' and ')}`;
    const verdict = judge(text);
    expect(verdict).toMatchObject({ pass: false, reason: 'degenerate_repetition' });
    expect(String(verdict.details?.measure)).toMatch(/^top_[234]gram_char_fraction$/);
  });

  it('does not hold short answers to the n-gram measures', () => {
    // 12 words where "New York" is a large share of the characters: fine for a short answer.
    expect(judge('New York City is the largest city in New York State, New York.').pass).toBe(true);
  });

  it('rejects a short answer that repeats its sentence', () => {
    expect(judge('The Broncos won the game. The Broncos won the game.')).toMatchObject({
      pass: false,
      reason: 'degenerate_repetition',
      details: { measure: 'repeated_sentence', sentence: 'The Broncos won the game.' },
    });
    expect(judge('Denver. Denver. Denver.')).toMatchObject({ pass: false, details: { measure: 'repeated_sentence' } });
    expect(judge('Yes. The Broncos won, and yes, Denver was the champion.').pass).toBe(true);
  });

  it('ranks the less repetitive of two passing outputs higher', () => {
    const plain = judge(paragraph);
    const echoing = judge(`${paragraph} Pro Bowl defensive tackle Kawann Short led the team in sacks with 11.`);
    expect(plain.pass && echoing.pass).toBe(true);
    expect(plain.score).toBeGreaterThan(echoing.score);
  });

  it('takes thresholds as options, merging partial n-gram tables with the defaults', () => {
    const lines = '- The gorge has castles.\n- The gorge has castles.\n- It is a heritage site.\n- It has vineyards.';
    expect(judge(lines)).toMatchObject({ pass: false, details: { measure: 'duplicate_line_char_fraction' } });
    expect(judge(lines, { maxDuplicateLineCharFraction: 0.5 })).toMatchObject({ pass: false, details: { measure: 'repeated_sentence' } });
    expect(judge(lines, { maxDuplicateLineCharFraction: 0.5, minRepeatedSentenceWords: 5 }).pass).toBe(true);
    expect(repetition.parseOptions!({ maxTopNgramCharFraction: { '2': 0.3 } })).toMatchObject({
      maxTopNgramCharFraction: { '2': 0.3, '3': 0.18, '4': 0.16 },
      maxDuplicateNgramCharFraction: { '5': 0.15, '10': 0.1 },
    });
  });

  it('rejects bad options, naming the evaluator and the option', () => {
    expect(() => judge('text', { maxTopNgramCharFraction: { '11': 0.1 } })).toThrow(
      /evaluator "repetition", option "maxTopNgramCharFraction.11": unknown option/,
    );
    expect(() => judge('text', { maxDuplicateLineFraction: 0 })).toThrow(/option "maxDuplicateLineFraction"/);
    expect(() => judge('text', { minWordsForNgramMeasures: 'many' })).toThrow(EvaluatorOptionsError);
  });
});
