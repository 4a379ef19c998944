// Named evaluator sets for `reword judge --preset`, for judging data that did not come from a reword style.
import type { EvaluatorRef, Style } from './types.js';

export interface Preset {
  description: string;
  evaluators: EvaluatorRef[];
}

/**
 * `claims`: only what checks that nothing was added or changed (numbers, names, negations and opposites,
 * quotations, sentence support), for summaries, claims and extracted facts. Thresholds come from calibration
 * on labelled summary and paraphrase pairs (scripts/calibrate.ts); omissions are not checked, since a
 * summary omits.
 */
export const PRESETS: Readonly<Record<string, Preset>> = {
  claims: {
    description: 'nothing added or changed: numbers, names, negations and opposites, quotations, sentence support',
    evaluators: [
      { id: 'novel-numbers', options: {} },
      { id: 'novel-entities', options: {} },
      { id: 'negation-flip', options: {} },
      { id: 'altered-quote', options: {} },
      { id: 'attribution', options: {} },
    ],
  },
};

/** A preset has no such name. */
export class UnknownPresetError extends Error {
  constructor(readonly preset: string) {
    super(`unknown preset "${preset}"; known presets: ${Object.keys(PRESETS).join(', ')}`);
    this.name = 'UnknownPresetError';
  }
}

export function presetEvaluators(name: string): EvaluatorRef[] {
  const preset = PRESETS[name];
  if (preset === undefined) throw new UnknownPresetError(name);
  return preset.evaluators.map((ref) => ({ id: ref.id, options: { ...ref.options } }));
}

/**
 * The style pairs are judged against when no style file is named: faithful (every evaluator applies) and
 * without a length bound, since the pairs were not made to reword's length ratios.
 */
export function adHocStyle(id: string, evaluators: EvaluatorRef[]): Style {
  return {
    id,
    description: `ad-hoc style for judging existing pairs (${id})`,
    kind: 'faithful',
    maxOutputTokens: 0,
    lengthRatio: { min: 0, max: Number.MAX_SAFE_INTEGER },
    temperature: 0,
    evaluators,
    template: '{{source}}',
    sha256: '',
    path: '',
  };
}
