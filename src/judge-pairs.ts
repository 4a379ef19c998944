// Judging existing (source, candidate) pairs without generating: the JSONL record format, and one verdict
// per pair. Shared by `reword judge` and the calibration script.
import { z } from 'zod';
import { judgeCandidate, type ResolvedEvaluators } from './judge.js';
import type { FaithfulnessLabel } from './judge-metrics.js';
import type { Style } from './types.js';

export interface PairFields {
  source: string;
  candidate: string;
  /** Field holding the label (1 faithful, 0 not); optional on every record. */
  label: string;
  id: string;
}

export const DEFAULT_FIELDS: PairFields = { source: 'source', candidate: 'candidate', label: 'label', id: 'id' };

export interface Pair {
  id: string;
  source: string;
  candidate: string;
  label?: FaithfulnessLabel;
}

/** One line of `reword judge` output. */
export interface PairVerdict {
  id: string;
  pass: boolean;
  /** Reason codes of the failing evaluators (the judge stops at the first). */
  reasons: string[];
  /** Score (0..1) of every evaluator that ran, by id. */
  scores: Record<string, number>;
}

const labelValue = z.union([
  z.literal(0),
  z.literal(1),
  z.boolean().transform((b) => (b ? 1 : 0)),
  z.enum(['0', '1']).transform((s) => (s === '1' ? 1 : 0)),
]);

/** The record schema for the given field names; the id defaults to the line number. */
export function pairSchema(fields: PairFields) {
  return z.looseObject({
    [fields.source]: z.string({ error: `"${fields.source}" must be a string` }),
    [fields.candidate]: z.string({ error: `"${fields.candidate}" must be a string` }),
    [fields.label]: labelValue.optional().or(z.null().transform(() => undefined)),
    [fields.id]: z.union([z.string(), z.number().transform(String)]).optional(),
  });
}

export type PairLine = { ok: true; pair: Pair } | { ok: false; error: string };

/** Parses one JSONL line (1-based `line` for the default id and messages). Blank lines yield null. */
export function parsePairLine(text: string, line: number, schema: ReturnType<typeof pairSchema>, fields: PairFields): PairLine | null {
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `field "${issue.path.join('.')}": ` : '';
    return { ok: false, error: `${where}${issue?.message ?? 'invalid record'}` };
  }
  const record = result.data as Record<string, unknown>;
  const label = record[fields.label] as FaithfulnessLabel | undefined;
  const id = record[fields.id] as string | undefined;
  return {
    ok: true,
    pair: { id: id ?? String(line), source: record[fields.source] as string, candidate: record[fields.candidate] as string, ...(label === undefined ? {} : { label }) },
  };
}

/** Judges a pair with the candidate as final text. */
export async function judgePair(pair: Pair, style: Style, evaluators: ResolvedEvaluators): Promise<PairVerdict> {
  const judgement = await judgeCandidate(pair.source, { text: pair.candidate, finishReason: 'stop' }, style, evaluators);
  const scores: Record<string, number> = {};
  for (const verdict of judgement.verdicts) scores[verdict.evaluator] = Math.round(verdict.score * 1000) / 1000;
  return { id: pair.id, pass: judgement.pass, reasons: judgement.reasons, scores };
}
