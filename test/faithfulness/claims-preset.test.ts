import { describe, expect, it } from 'vitest';
import { resolveEvaluators } from '../../evaluators/index.js';
import { judgeCandidate } from '../../src/judge.js';
import { adHocStyle, presetEvaluators, UnknownPresetError } from '../../src/presets.js';
import { FAITHFUL, SOURCE } from './fixtures.js';

const refs = presetEvaluators('claims');
const evaluators = resolveEvaluators(refs);
const style = adHocStyle('claims', refs);
const judge = (text: string) => judgeCandidate(SOURCE, { text, finishReason: 'stop' }, style, evaluators);

describe('the claims preset', () => {
  it('runs the evaluators that check nothing was added or changed', () => {
    expect(refs.map((r) => r.id)).toEqual(['novel-numbers', 'novel-entities', 'negation-flip', 'altered-quote', 'attribution']);
    expect(() => presetEvaluators('everything')).toThrow(UnknownPresetError);
  });

  it('passes a faithful paraphrase, and a summary that leaves things out', async () => {
    expect(await judge(FAITHFUL)).toMatchObject({ pass: true, reasons: [] });
    expect(await judge('The Harbour Bridge opened in 1932.')).toMatchObject({ pass: true });
  });

  it('never rejects the source itself, or excerpts of it', async () => {
    const excerpt = SOURCE.split('. ').slice(1, 3).join('.\n') + '.';
    for (const text of [SOURCE, excerpt]) expect(await judge(text)).toMatchObject({ pass: true });
  });

  it.each([
    ['a swapped number', FAITHFUL.replace('503 metres', '530 metres'), 'novel_number'],
    ['a swapped name', FAITHFUL.replace('John Bradfield', 'Joseph Strauss'), 'novel_entity'],
    ['an inserted sentence', `${FAITHFUL} The toll booths were removed after a long public campaign by local residents.`, 'unsupported_sentence'],
    ['a negation', FAITHFUL.replace('the British company Dorman Long built it', 'the British company Dorman Long did not build it'), 'negation_flip'],
    ['an opposite', FAITHFUL.replace('the British company', 'the British company, now defunct,').replace('was opened on', 'was closed on'), 'negation_flip'],
    ['swapped roles', 'It was designed by Dorman Long and built by the British firm John Bradfield.', 'unsupported_sentence'],
    ['an altered quotation', `${FAITHFUL} In the words of the record, it was "designed by John Bradfield and built by the British company Dorman Long".`, 'altered_quote'],
  ])('rejects %s', async (_kind, text, reason) => {
    const judgement = await judge(text);
    expect(judgement.pass).toBe(false);
    expect(judgement.reasons).toEqual([reason]);
  });
});
