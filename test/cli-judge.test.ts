import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { judgeCommand, type JudgeSummary } from '../src/cli/judge.js';
import { FAITHFUL, SOURCE } from './faithfulness/fixtures.js';

let dir: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reword-judge-'));
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function pairsFile(lines: string[]): string {
  const path = join(dir, 'pairs.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const record = (fields: Record<string, unknown>) => JSON.stringify(fields);

async function run(args: string[]): Promise<{ verdicts: Array<Record<string, unknown>>; summary?: JudgeSummary }> {
  await judgeCommand().parseAsync(args, { from: 'user' });
  const lines = stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines[lines.length - 1];
  if (last !== undefined && 'summary' in last) return { verdicts: lines.slice(0, -1), summary: last.summary as JudgeSummary };
  return { verdicts: lines };
}

const LABELLED = [
  record({ id: 'faithful', source: SOURCE, candidate: FAITHFUL, label: 1 }),
  record({ id: 'number', source: SOURCE, candidate: FAITHFUL.replace('503 metres', '530 metres'), label: 0 }),
  '{"id": "broken", "source": ',
  record({ id: 'name', source: SOURCE, candidate: FAITHFUL.replace('John Bradfield', 'Joseph Strauss'), label: 0 }),
  record({ id: 'no-candidate', source: SOURCE, label: 1 }),
  '',
  record({ source: SOURCE, candidate: 'The Harbour Bridge opened in 1932.', label: true }),
];

describe('reword judge', () => {
  it('writes one verdict per good pair, reports bad lines by number, and summarises against the labels', async () => {
    const { verdicts, summary } = await run(['--input', pairsFile(LABELLED), '--preset', 'claims', '--json']);
    expect(verdicts.map((v) => v.id)).toEqual(['faithful', 'number', 'name', '7']);
    for (const v of verdicts) expect(Object.keys(v).sort()).toEqual(['id', 'pass', 'reasons', 'scores']);
    expect(verdicts.map((v) => [v.pass, v.reasons])).toEqual([
      [true, []],
      [false, ['novel_number']],
      [false, ['novel_entity']],
      [true, []],
    ]);
    expect(verdicts[0]!.scores).toMatchObject({ 'novel-numbers': 1, attribution: expect.any(Number) });
    expect(stderr).toMatch(/line 3: not JSON/);
    expect(stderr).toMatch(/line 5: field "candidate"/);
    expect(summary).toMatchObject({ pairs: 4, passed: 2, rejected: 2, badLines: 2, reasons: { novel_number: 1, novel_entity: 1 } });
    expect(summary!.labelled).toMatchObject({ balancedAccuracy: 1, precision: 1, recall: 1 });
    expect(summary!.labelled!.byEvaluator['novel-numbers']).toMatchObject({ truePositives: 1, falsePositives: 0, recall: 0.5 });
  });

  it('prints a readable summary on stderr without --json', async () => {
    const { verdicts } = await run(['--input', pairsFile(LABELLED)]);
    expect(verdicts).toHaveLength(4);
    expect(stderr).toMatch(/judged 4 pairs · passed 2 · rejected 2 · 2 bad lines skipped/);
    expect(stderr).toMatch(/balanced accuracy 100\.0%/);
    expect(stderr).toMatch(/novel-entities\s+1\s+100\.0\s+50\.0/);
  });

  it('reads other field names', async () => {
    const path = pairsFile([record({ key: 'a', text: SOURCE, rewrite: FAITHFUL.replace('1932', '1933'), gold: 0 })]);
    const { verdicts, summary } = await run([
      '--input', path, '--source-field', 'text', '--candidate-field', 'rewrite', '--label-field', 'gold', '--id-field', 'key', '--json',
    ]);
    expect(verdicts).toEqual([expect.objectContaining({ id: 'a', pass: false, reasons: ['novel_number'] })]);
    expect(summary!.labelled).toMatchObject({ truePositives: 1 });
  });

  it('runs only the evaluators named with --evaluators', async () => {
    const path = pairsFile([record({ id: 'x', source: SOURCE, candidate: FAITHFUL.replace('John Bradfield', 'Joseph Strauss') })]);
    const { verdicts, summary } = await run(['--input', path, '--evaluators', 'novel-numbers,negation-flip', '--json']);
    expect(verdicts[0]).toMatchObject({ pass: true, scores: { 'novel-numbers': 1, 'negation-flip': 1 } });
    expect(summary!.evaluators).toEqual(['novel-numbers', 'negation-flip']);
    expect(summary!.labelled).toBeUndefined();
  });

  it('rejects a near copy of an earlier passing candidate when near-duplicate is asked for', async () => {
    const path = pairsFile([
      record({ id: 'first', source: SOURCE, candidate: FAITHFUL }),
      record({ id: 'copy', source: SOURCE, candidate: `${FAITHFUL} ` }),
    ]);
    const { verdicts } = await run(['--input', path, '--evaluators', 'novel-numbers,near-duplicate', '--style', 'distill', '--json']);
    expect(verdicts.map((v) => [v.id, v.pass, v.reasons])).toEqual([
      ['first', true, []],
      ['copy', false, ['near_duplicate_output']],
    ]);
  });

  it('judges with a style but takes candidates as final text, without its answer prefix check', async () => {
    const answer = 'Question: Who designed the bridge?\nAnswer: John Bradfield designed it.';
    const path = pairsFile([record({ id: 'qa', source: SOURCE, candidate: answer.replace('Question: ', '') })]);
    const { summary } = await run(['--input', path, '--style', 'qa', '--json']);
    expect(summary!.evaluators).not.toContain('answer-prefix');
    expect(summary!.evaluators).toContain('novel-numbers');
  });

  it('fails with a usage error for an unknown style or a missing file', async () => {
    await run(['--input', pairsFile(LABELLED), '--style', 'no-such-style']);
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/unknown style "no-such-style"/);
    process.exitCode = undefined;
    await run(['--input', join(dir, 'missing.jsonl')]);
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/missing\.jsonl/);
  });
});
