// What the cases of `npm run bench` share: their sizes, the workload, the result rows, and running reword's CLI
// with its run summary written to a file.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadStyles, splitFrontMatter } from '../src/prompts.js';
import { runNode, runNodeOk, type ChildResult } from './bench-process.js';

export interface CaseRow {
  case: number;
  figure: string;
  value: number | null;
  /** e.g. "≥ 0.8"; null for a figure reported without a target. */
  target: string | null;
  met: boolean | null;
}

export interface BenchPaths {
  /** The compiled CLI, dist/src/cli/main.js. */
  cli: string;
  /** Compiled dist/scripts/. */
  scripts: string;
  /** Scratch directory for inputs and ledgers. */
  tmp: string;
}

export interface BenchSizes {
  case1: { documents: number; reps: number };
  case2: { tasks: number; reps: number };
  case3: { bigDocuments: number; smallDocuments: number; runDocuments: number; runSmallDocuments: number; reps: number };
  case4: { pairs: number; reps: number };
  /** Seconds of rate-limited load in case 6; null skips it. */
  case6: { seconds: number } | null;
}

/**
 * The issue's sizes. reword judges every candidate with all the faithfulness evaluators, so on 2 busy cores this
 * takes the better part of an hour (case 3's run over 100 000 documents alone is 100 000 judged requests).
 */
export const FULL: BenchSizes = {
  case1: { documents: 20_000, reps: 3 },
  case2: { tasks: 5_000, reps: 3 },
  case3: { bigDocuments: 1_000_000, smallDocuments: 100_000, runDocuments: 100_000, runSmallDocuments: 10_000, reps: 3 },
  case4: { pairs: 10_000, reps: 3 },
  case6: { seconds: 130 },
};

/**
 * The default: the same cases at sizes that finish in about ten minutes on 2 cores. Every ratio still compares
 * runs of the same size side by side; case 3 keeps the million-document plan and runs at 10 000 and 1 000.
 * Case 2 keeps the 5 000 tasks: its last 250 ms wave is part-empty at any size, and at 2 500 that alone
 * holds every client under 0.98.
 */
export const DEFAULT: BenchSizes = {
  case1: { documents: 4_000, reps: 3 },
  case2: { tasks: 5_000, reps: 3 },
  case3: { bigDocuments: 1_000_000, smallDocuments: 100_000, runDocuments: 10_000, runSmallDocuments: 1_000, reps: 3 },
  case4: { pairs: 2_000, reps: 3 },
  case6: { seconds: 130 },
};

/** A smoke run of every code path but the minutes-long rate-limit case, in two or three minutes. */
export const QUICK: BenchSizes = {
  case1: { documents: 1_000, reps: 2 },
  case2: { tasks: 1_000, reps: 1 },
  case3: { bigDocuments: 100_000, smallDocuments: 10_000, runDocuments: 2_000, runSmallDocuments: 200, reps: 1 },
  case4: { pairs: 500, reps: 1 },
  case6: null,
};

// The workload the issue describes: one style, the fake server's model name, reword's default chunk size.
export const STYLE = 'wiki';
// The model the loopback server serves (a run checks it against /v1/models before starting).
export const MODEL = 'fake-model';
export const CHUNK_TOKENS = 400;
/** Case 1's concurrency, for reword and the minimal client alike: reword's default. */
export const CONCURRENCY = 8;
/** ~290 words, ~380 tokens: "about 300 words" that mostly fit one default chunk. */
export const CASE1_WORDS = 280;
/** ~160 words, ~1 KB of JSONL: a million of them make about a gigabyte, and each is one chunk. */
export const SHORT_WORDS = 150;
/** ~300 words, ~395 tokens: case 4's "pairs of about 400 tokens". */
export const PAIR_WORDS = 290;

export const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function row(caseNo: number, figure: string, value: number | null, target?: { atLeast?: number; atMost?: number }): CaseRow {
  if (target === undefined || value === null) return { case: caseNo, figure, value, target: null, met: null };
  if (target.atLeast !== undefined) return { case: caseNo, figure, value, target: `≥ ${target.atLeast}`, met: value >= target.atLeast };
  return { case: caseNo, figure, value, target: `≤ ${target.atMost}`, met: value <= (target.atMost as number) };
}

/** The fields of reword's run summary (REWORD_SUMMARY_JSON) the cases read. */
export interface RunSummaryFile {
  status: string;
  documents: number;
  tasksSeen: number;
  requests: number;
  accepted: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
  timings: { judgeMs: number; judgeWorkerMs?: number; ledgerMs: number; chunkMs: number };
}

export interface RewordRun {
  child: ChildResult;
  summary: RunSummaryFile;
}

export async function rewordRun(paths: BenchPaths, input: string, url: string, ledger: string, extra: string[] = [], stopAfterMs?: number): Promise<RewordRun> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(ledger + suffix, { force: true });
  const summaryPath = `${ledger}.summary.json`;
  rmSync(summaryPath, { force: true });
  const args = ['run', '--input', input, '--style', STYLE, '--model', MODEL, '--base-url', url, '--ledger', ledger, '--progress', 'none', ...extra];
  const env = { REWORD_SUMMARY_JSON: summaryPath };
  const child = stopAfterMs === undefined ? await runNodeOk(paths.cli, args, env) : await runNode(paths.cli, args, env, stopAfterMs);
  if (!existsSync(summaryPath)) throw new Error(`reword run wrote no summary (exit ${String(child.code)}):\n${child.stderr.slice(-2000)}`);
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummaryFile;
  return { child, summary };
}

/**
 * Writes into `dir` (made if missing) STYLE with its prompt unchanged and no evaluators, for `--prompts`: the
 * same requests as the real style, judged by nothing, so a run of it measures the engine (reading, chunking,
 * pool, ledger) alone. Returns `dir`.
 */
export function writeUnjudgedStyle(dir: string): string {
  const style = loadStyles().get(STYLE);
  if (!style) throw new Error(`bench: no built-in style ${STYLE}`);
  const { frontMatter, body } = splitFrontMatter(style.path, readFileSync(style.path, 'utf8'));
  const fields = parseDocument(frontMatter);
  fields.set('evaluators', []);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${STYLE}.md`), `---\n${fields.toString()}---${body}`);
  return dir;
}

/**
 * `sides` in the order to run them in repetition `rep`: rotated one place each repetition, so that which goes
 * first (and meets the machine's slow drifts first) changes from one repetition to the next.
 */
export function rotation<T>(sides: readonly T[], rep: number): T[] {
  return sides.map((_, i) => sides[(i + rep) % sides.length] as T);
}
