// `reword judge`: judges existing (source, candidate) pairs without generating, for users who already have
// synthetic data and for calibration. One JSON verdict per pair on stdout; a summary on stderr (or as a last
// JSON line with --json); with labels, balanced accuracy and the precision and recall of rejection, overall
// and for each evaluator judging alone.
import { accessSync, constants, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { defaultNearDuplicateIndex, resolveEvaluators } from '../../evaluators/index.js';
import type { ResolvedEvaluator } from '../judge.js';
import { emptyConfusion, percent, rejectionMetrics, tally, type Confusion, type RejectionMetrics } from '../judge-metrics.js';
import { DEFAULT_FIELDS, judgePair, pairSchema, parsePairLine, type PairFields } from '../judge-pairs.js';
import { adHocStyle, presetEvaluators } from '../presets.js';
import { loadStyles } from '../prompts.js';
import type { EvaluatorRef, Style } from '../types.js';
import { ExitCode } from './exit-codes.js';

interface JudgeOptions {
  input: string;
  style?: string;
  evaluators?: string[];
  preset?: string;
  prompts?: string;
  sourceField: string;
  candidateField: string;
  labelField: string;
  idField: string;
  json?: boolean;
}

export interface JudgeSummary {
  pairs: number;
  passed: number;
  rejected: number;
  badLines: number;
  evaluators: string[];
  /** Rejected pairs by the reason code that rejected them. */
  reasons: Record<string, number>;
  /** Present when at least one pair carries a label. */
  labelled?: RejectionMetrics & { byEvaluator: Record<string, RejectionMetrics> };
}

// Candidates are final text here: nothing generated them with a required prefix to strip.
const NOT_FOR_FINAL_TEXT = new Set(['answer-prefix']);

/** The style to judge against and its evaluators, from --style, --preset and --evaluators. */
export function judgingSetup(opts: Pick<JudgeOptions, 'style' | 'evaluators' | 'preset' | 'prompts'>): { style: Style; refs: EvaluatorRef[] } {
  const named = opts.style === undefined ? undefined : loadStyles(opts.prompts === undefined ? {} : { extraDir: opts.prompts }).get(opts.style);
  if (opts.style !== undefined && named === undefined) throw new Error(`unknown style "${opts.style}"; see \`reword prompts list\``);
  const preset = opts.preset !== undefined || (named === undefined && opts.evaluators === undefined) ? presetEvaluators(opts.preset ?? 'claims') : undefined;
  // Options come from the preset or the style when they list the evaluator; --evaluators only picks which.
  const known = new Map<string, EvaluatorRef>();
  for (const ref of [...(named?.evaluators ?? []), ...(preset ?? [])]) known.set(ref.id, ref);
  const ids = opts.evaluators ?? (preset ?? named?.evaluators ?? []).map((ref) => ref.id);
  const refs = ids.filter((id) => !NOT_FOR_FINAL_TEXT.has(id)).map((id) => known.get(id) ?? { id, options: {} });
  const style = named ?? adHocStyle(opts.preset ?? (opts.evaluators ? 'evaluators' : 'claims'), refs);
  return { style, refs };
}

function lines(input: string): AsyncIterable<string> {
  if (input !== '-') accessSync(input, constants.R_OK); // fail now with the path, not mid-stream
  const stream = input === '-' ? process.stdin : createReadStream(input, { encoding: 'utf8' });
  return createInterface({ input: stream, crlfDelay: Infinity });
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve).once('error', reject);
  });
}

/** Judges every pair of `opts.input`, streaming verdict lines to stdout; returns the summary. */
export async function judgeFile(opts: JudgeOptions, report: (line: string) => void): Promise<JudgeSummary> {
  const { style, refs } = judgingSetup(opts);
  const resolved = resolveEvaluators(refs);
  const alone = new Map<string, ResolvedEvaluator[]>(resolved.map((r) => [r.evaluator.id, [r]]));
  const fields: PairFields = { source: opts.sourceField, candidate: opts.candidateField, label: opts.labelField, id: opts.idField };
  const schema = pairSchema(fields);
  const summary: JudgeSummary = { pairs: 0, passed: 0, rejected: 0, badLines: 0, evaluators: resolved.map((r) => r.evaluator.id), reasons: {} };
  const overall = emptyConfusion();
  const perEvaluator = new Map<string, Confusion>(resolved.map((r) => [r.evaluator.id, emptyConfusion()]));
  let labelled = 0;
  let lineNumber = 0;
  for await (const text of lines(opts.input)) {
    lineNumber++;
    const parsed = parsePairLine(text, lineNumber, schema, fields);
    if (parsed === null) continue;
    if (!parsed.ok) {
      summary.badLines++;
      report(`line ${lineNumber}: ${parsed.error}; skipped`);
      continue;
    }
    const { pair } = parsed;
    const verdict = await judgePair(pair, style, resolved);
    await write(`${JSON.stringify(verdict)}\n`);
    summary.pairs++;
    if (verdict.pass) summary.passed++;
    else summary.rejected++;
    for (const reason of verdict.reasons) summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    if (pair.label !== undefined) {
      labelled++;
      tally(overall, pair.label, !verdict.pass);
      // Each evaluator alone, so the table shows what it catches, not only what earlier ones left it.
      for (const [id, single] of alone) {
        const own = await judgePair(pair, style, single);
        tally(perEvaluator.get(id) as Confusion, pair.label, !own.pass);
      }
    }
    // A pair that passes is this run's accepted output: later near copies of it are duplicates.
    if (verdict.pass && alone.has('near-duplicate')) defaultNearDuplicateIndex.add(style.id, pair.id, pair.candidate);
  }
  if (labelled > 0) {
    const byEvaluator: Record<string, RejectionMetrics> = {};
    for (const [id, confusion] of perEvaluator) byEvaluator[id] = rejectionMetrics(confusion);
    summary.labelled = { ...rejectionMetrics(overall), byEvaluator };
  }
  return summary;
}

function metricsRow(name: string, m: RejectionMetrics): string {
  const rejected = m.truePositives + m.falsePositives;
  return `  ${name.padEnd(18)} ${String(rejected).padStart(8)} ${percent(m.precision).padStart(10)} ${percent(m.recall).padStart(8)} ${percent(m.balancedAccuracy).padStart(9)}`;
}

export function formatSummary(s: JudgeSummary): string {
  const out = [
    `judged ${s.pairs} pairs · passed ${s.passed} · rejected ${s.rejected}${s.badLines > 0 ? ` · ${s.badLines} bad lines skipped` : ''}`,
    `evaluators: ${s.evaluators.join(', ') || '(none)'}`,
  ];
  const reasons = Object.entries(s.reasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) out.push(`rejections by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  const m = s.labelled;
  if (m !== undefined) {
    out.push(
      `labelled pairs ${m.pairs}: balanced accuracy ${percent(m.balancedAccuracy)}% · rejection precision ${percent(m.precision)}% · rejection recall ${percent(m.recall)}%`,
      `  ${'evaluator (alone)'.padEnd(18)} ${'rejected'.padStart(8)} ${'precision'.padStart(10)} ${'recall'.padStart(8)} ${'bal. acc.'.padStart(9)}`,
      ...Object.entries(m.byEvaluator).map(([id, e]) => metricsRow(id, e)),
      metricsRow('all together', m),
    );
  }
  return out.join('\n') + '\n';
}

let pipeWatched = false;

/** `reword judge … | head` closes stdout early: that is the reader having all it wants, not an error. */
function exitQuietlyOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  });
}

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function judgeCommand(): Command {
  return new Command('judge')
    .description('judge existing source/candidate pairs (JSONL) without generating; with labels, report accuracy')
    .requiredOption('-i, --input <path>', 'JSONL file of pairs, or - for stdin')
    .option('-s, --style <id>', "judge with this style's evaluators and thresholds")
    .option('--evaluators <ids>', 'judge with these evaluators (comma-separated)', list)
    .option('--preset <name>', 'judge with a preset: claims (nothing added or changed); the default without --style or --evaluators')
    .option('--prompts <dir>', 'directory of extra style files (same id replaces a built-in)')
    .option('--source-field <name>', 'field holding the source text', DEFAULT_FIELDS.source)
    .option('--candidate-field <name>', 'field holding the candidate text', DEFAULT_FIELDS.candidate)
    .option('--label-field <name>', 'field holding the label: 1 faithful, 0 not', DEFAULT_FIELDS.label)
    .option('--id-field <name>', 'field holding the pair id (default: the line number)', DEFAULT_FIELDS.id)
    .option('--json', 'print the summary as a last JSON line on stdout instead of text on stderr')
    .action(async (opts: JudgeOptions) => {
      exitQuietlyOnClosedPipe();
      let summary: JudgeSummary;
      try {
        summary = await judgeFile(opts, (line) => process.stderr.write(`reword judge: ${line}\n`));
      } catch (error) {
        process.stderr.write(`reword judge: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      if (opts.json) await write(`${JSON.stringify({ summary })}\n`);
      else process.stderr.write(formatSummary(summary));
    });
}
