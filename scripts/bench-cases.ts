// The cases of `npm run bench` (issue 6). Each runs reword's real CLI, the minimal client, the judge loop and the
// loopback servers as separate processes, repeats what is noisy, and turns medians into ratios measured in the
// same run: no figure compares against an absolute time.

import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeCorpus } from './bench-corpus.js';
import { runNode, runNodeOk, startServer, type ChildResult } from './bench-process.js';
import { writeRequests } from './bench-requests.js';

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
  case3: { bigDocuments: number; smallDocuments: number; runDocuments: number; runSmallDocuments: number };
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
  case3: { bigDocuments: 1_000_000, smallDocuments: 100_000, runDocuments: 100_000, runSmallDocuments: 10_000 },
  case4: { pairs: 10_000, reps: 3 },
  case6: { seconds: 130 },
};

/**
 * The default: the same cases at sizes that finish in about ten minutes on 2 cores. Every ratio still compares
 * runs of the same size side by side; case 3 keeps the million-document plan and runs at 10 000 and 1 000.
 */
export const DEFAULT: BenchSizes = {
  case1: { documents: 4_000, reps: 3 },
  case2: { tasks: 2_500, reps: 3 },
  case3: { bigDocuments: 1_000_000, smallDocuments: 100_000, runDocuments: 10_000, runSmallDocuments: 1_000 },
  case4: { pairs: 2_000, reps: 3 },
  case6: { seconds: 130 },
};

/** A smoke run of every code path but the minutes-long rate-limit case, in two or three minutes. */
export const QUICK: BenchSizes = {
  case1: { documents: 1_000, reps: 2 },
  case2: { tasks: 1_000, reps: 1 },
  case3: { bigDocuments: 100_000, smallDocuments: 10_000, runDocuments: 2_000, runSmallDocuments: 200 },
  case4: { pairs: 500, reps: 1 },
  case6: null,
};

// The workload the issue describes: one style, the fake server's model name, reword's default chunk size.
const STYLE = 'wiki';
// The model the loopback server serves (a run checks it against /v1/models before starting).
const MODEL = 'fake-model';
const CHUNK_TOKENS = 400;
/** Case 1's concurrency, for reword and the minimal client alike: reword's default. */
const CONCURRENCY = 8;
/** ~290 words, ~380 tokens: "about 300 words" that mostly fit one default chunk. */
const CASE1_WORDS = 280;
/** ~160 words, ~1 KB of JSONL: a million of them make about a gigabyte, and each is one chunk. */
const SHORT_WORDS = 150;
/** ~300 words, ~395 tokens: case 4's "pairs of about 400 tokens". */
const PAIR_WORDS = 290;

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function row(caseNo: number, figure: string, value: number | null, target?: { atLeast?: number; atMost?: number }): CaseRow {
  if (target === undefined || value === null) return { case: caseNo, figure, value, target: null, met: null };
  if (target.atLeast !== undefined) return { case: caseNo, figure, value, target: `≥ ${target.atLeast}`, met: value >= target.atLeast };
  return { case: caseNo, figure, value, target: `≤ ${target.atMost}`, met: value <= (target.atMost as number) };
}

/** The fields of reword's run summary (REWORD_SUMMARY_JSON) the cases read. */
interface RunSummaryFile {
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

interface RewordRun {
  child: ChildResult;
  summary: RunSummaryFile;
}

async function rewordRun(paths: BenchPaths, input: string, url: string, ledger: string, extra: string[] = [], stopAfterMs?: number): Promise<RewordRun> {
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

/** Ledger bytes per accepted output beyond the texts stored in it (chunks, candidates raw and cleaned, outputs). */
function ledgerOverheadPerOutput(ledger: string): { overhead: number; total: number } {
  const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(ledger + suffix) ? statSync(ledger + suffix).size : 0), 0);
  const db = new Database(ledger, { readonly: true });
  try {
    const bytes = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
    const textBytes =
      bytes('SELECT SUM(length(CAST(text AS BLOB))) FROM chunks') +
      bytes('SELECT SUM(length(CAST(text AS BLOB)) + length(CAST(cleaned AS BLOB))) FROM candidates') +
      bytes('SELECT SUM(length(CAST(text AS BLOB))) FROM outputs');
    const outputs = bytes('SELECT COUNT(*) FROM outputs');
    return { overhead: (fileBytes - textBytes) / Math.max(1, outputs), total: fileBytes / Math.max(1, outputs) };
  } finally {
    db.close();
  }
}

/** Cases 1, 4 (share) and 5: reword against the minimal client at zero latency, on the same server. */
export async function caseOverhead(
  paths: BenchPaths,
  sizes: BenchSizes,
): Promise<{ rows: CaseRow[]; judgeShare: number; judgeWorkerShare: number; ledgerShare: number }> {
  const { documents, reps } = sizes.case1;
  const corpus = join(paths.tmp, 'case1.jsonl');
  const requests = join(paths.tmp, 'case1-requests.jsonl');
  writeCorpus(corpus, { documents, words: CASE1_WORDS, seed: 1 });
  const requestCount = await writeRequests(corpus, requests, { style: STYLE, model: MODEL, chunkTokens: CHUNK_TOKENS });
  log(`case 1: ${documents} documents, ${requestCount} requests, ${reps} repetitions of each side`);
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', '0']);
  const ledger = join(paths.tmp, 'case1.sqlite');
  const ratios: number[] = [];
  const rewordRates: number[] = [];
  const clientRates: number[] = [];
  const judgeShares: number[] = [];
  const judgeWorkerShares: number[] = [];
  const ledgerShares: number[] = [];
  const chunkShares: number[] = [];
  let peakRss = 0;
  try {
    for (let rep = 0; rep < reps; rep++) {
      // Alternating which side goes first spreads slow drifts of the machine over both.
      const order = rep % 2 === 0 ? (['reword', 'client'] as const) : (['client', 'reword'] as const);
      let rewordRate = 0;
      let clientRate = 0;
      for (const side of order) {
        if (side === 'reword') {
          const { child, summary } = await rewordRun(paths, corpus, server.url, ledger, ['--concurrency', String(CONCURRENCY)]);
          if (summary.requests !== requestCount || summary.accepted !== requestCount) {
            log(`case 1: reword sent ${summary.requests} requests and accepted ${summary.accepted}; the client sends ${requestCount}`);
          }
          rewordRate = summary.requests / (child.wallMs / 1000);
          judgeShares.push(summary.timings.judgeMs / summary.elapsedMs);
          judgeWorkerShares.push((summary.timings.judgeWorkerMs ?? 0) / summary.elapsedMs);
          ledgerShares.push(summary.timings.ledgerMs / summary.elapsedMs);
          chunkShares.push(summary.timings.chunkMs / summary.elapsedMs);
          peakRss = Math.max(peakRss, child.peakRssBytes);
          log(`case 1: rep ${rep + 1} reword ${seconds(child.wallMs)}, ${rewordRate.toFixed(0)} requests/s`);
        } else {
          const child = await runNodeOk(join(paths.scripts, 'bench-client.js'), ['--requests', requests, '--base-url', server.url, '--concurrency', String(CONCURRENCY)]);
          const out = JSON.parse(child.stdout) as { requests: number; failures: number };
          if (out.failures > 0) log(`case 1: the minimal client saw ${out.failures} failed requests`);
          clientRate = out.requests / (child.wallMs / 1000);
          log(`case 1: rep ${rep + 1} client ${seconds(child.wallMs)}, ${clientRate.toFixed(0)} requests/s`);
        }
      }
      rewordRates.push(rewordRate);
      clientRates.push(clientRate);
      ratios.push(rewordRate / clientRate);
    }
  } finally {
    await server.stop();
  }
  const { overhead, total } = ledgerOverheadPerOutput(ledger);
  const judgeShare = median(judgeShares);
  const ledgerShare = median(ledgerShares);
  return {
    judgeShare,
    judgeWorkerShare: median(judgeWorkerShares),
    ledgerShare,
    rows: [
      row(1, 'reword / minimal client, requests per second', round(median(ratios), 3), { atLeast: 0.8 }),
      row(1, 'reword, requests per second', round(median(rewordRates), 0)),
      row(1, 'minimal client, requests per second', round(median(clientRates), 0)),
      row(1, 'chunking share of reword wall time', round(median(chunkShares), 3)),
      row(1, `reword peak RSS, MB (${documents} documents)`, mb(peakRss)),
      row(5, 'ledger writes share of wall time in case 1', round(ledgerShare, 3), { atMost: 0.1 }),
      row(5, 'ledger bytes per accepted output beyond its texts', Math.round(overhead)),
      row(5, 'ledger bytes per accepted output, all in', Math.round(total)),
    ],
  };
}

/** Case 2: with 250 ms of server latency, how close 64 requests in flight come to 64 / 0.25 s. */
export async function caseLatencyBound(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const { tasks, reps } = sizes.case2;
  const latencyMs = 250;
  const concurrency = 64;
  const corpus = join(paths.tmp, 'case2.jsonl');
  writeCorpus(corpus, { documents: tasks, words: SHORT_WORDS, seed: 2 });
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', String(latencyMs)]);
  const efficiencies: number[] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      const { summary } = await rewordRun(paths, corpus, server.url, join(paths.tmp, 'case2.sqlite'), ['--concurrency', String(concurrency)]);
      // The engine's own clock: from the first document read to the last commit, without process start-up.
      const rate = summary.requests / (summary.elapsedMs / 1000);
      efficiencies.push(rate / (concurrency / (latencyMs / 1000)));
      log(`case 2: rep ${rep + 1}: ${summary.requests} requests in ${seconds(summary.elapsedMs)}, ${rate.toFixed(1)} requests/s`);
    }
  } finally {
    await server.stop();
  }
  return [row(2, 'requests per second / (64 / 0.25 s)', round(median(efficiencies), 3), { atLeast: 0.95 })];
}

/** Case 3: peak resident memory of `plan` and `run` at two scales ten times apart. */
export async function caseMemory(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const { bigDocuments, smallDocuments, runDocuments, runSmallDocuments } = sizes.case3;
  // The same seed makes each smaller file a prefix of the big one.
  const files = new Map<number, string>();
  for (const documents of new Set([bigDocuments, smallDocuments, runDocuments, runSmallDocuments])) {
    const path = join(paths.tmp, `case3-${documents}.jsonl`);
    const started = performance.now();
    const bytes = writeCorpus(path, { documents, words: SHORT_WORDS, seed: 3 });
    log(`case 3: wrote ${documents} documents (${mb(bytes)} MB) in ${seconds(performance.now() - started)}`);
    files.set(documents, path);
  }
  const plan = async (documents: number): Promise<ChildResult> => {
    const child = await runNodeOk(paths.cli, ['plan', '--input', files.get(documents) as string, '--style', STYLE, '--model', MODEL, '--ledger', join(paths.tmp, 'absent.sqlite'), '--json']);
    log(`case 3: plan over ${documents} documents: ${seconds(child.wallMs)}, peak RSS ${mb(child.peakRssBytes)} MB`);
    return child;
  };
  const planBig = await plan(bigDocuments);
  const planSmall = await plan(smallDocuments);
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', '0']);
  const runs: ChildResult[] = [];
  try {
    for (const documents of [runDocuments, runSmallDocuments]) {
      const { child, summary } = await rewordRun(paths, files.get(documents) as string, server.url, join(paths.tmp, `case3-${documents}.sqlite`));
      log(`case 3: run over ${documents} documents: ${seconds(child.wallMs)} (${summary.accepted} accepted), peak RSS ${mb(child.peakRssBytes)} MB`);
      runs.push(child);
    }
  } finally {
    await server.stop();
  }
  const [runBig, runSmall] = runs as [ChildResult, ChildResult];
  const count = (n: number): string => n.toLocaleString('en-US');
  return [
    row(3, `plan peak RSS, MB (${count(bigDocuments)} documents)`, mb(planBig.peakRssBytes), { atMost: 300 }),
    row(3, `plan peak RSS ${count(bigDocuments)} / ${count(smallDocuments)} documents`, round(planBig.peakRssBytes / planSmall.peakRssBytes, 2), { atMost: 1.2 }),
    row(3, `run peak RSS, MB (${count(runDocuments)} documents)`, mb(runBig.peakRssBytes), { atMost: 300 }),
    row(3, `run peak RSS ${count(runDocuments)} / ${count(runSmallDocuments)} documents`, round(runBig.peakRssBytes / runSmall.peakRssBytes, 2), { atMost: 1.2 }),
    row(3, `plan documents per second (${count(bigDocuments)})`, Math.round(bigDocuments / (planBig.wallMs / 1000))),
  ];
}

/** Case 4: judge throughput on one core, with the evaluators of the style case 1 runs. */
export async function caseJudge(
  paths: BenchPaths,
  sizes: BenchSizes,
  shares: { judgeShare: number; judgeWorkerShare: number } | undefined,
): Promise<CaseRow[]> {
  const { pairs, reps } = sizes.case4;
  const corpus = join(paths.tmp, 'case4.jsonl');
  writeCorpus(corpus, { documents: pairs, words: PAIR_WORDS, seed: 4 });
  const rate = async (extra: string[]): Promise<number> => {
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const child = await runNodeOk(join(paths.scripts, 'bench-judge.js'), ['--corpus', corpus, '--pairs', String(pairs), ...extra]);
      const out = JSON.parse(child.stdout) as { pairs: number; passed: number; elapsedMs: number; cpuMs: number; evaluators: string[] };
      // Per second of CPU time: "on one core", whatever else the machine is running.
      rates.push(out.pairs / (out.cpuMs / 1000));
      log(`case 4: ${out.evaluators.join(',')}: ${out.passed}/${out.pairs} passed, ${(out.pairs / (out.cpuMs / 1000)).toFixed(0)} pairs per CPU second (${(out.pairs / (out.elapsedMs / 1000)).toFixed(0)} per wall second)`);
    }
    return median(rates);
  };
  const styleRate = await rate(['--style', STYLE]);
  return [
    row(4, `judge pairs per CPU second (${STYLE}: every tier 0–2 evaluator)`, Math.round(styleRate)),
    row(4, 'judge share of wall time in case 1 (on the engine thread)', shares === undefined ? null : round(shares.judgeShare, 3), { atMost: 0.1 }),
    // Beside the engine's thread, on the other cores: it bounds the run only when the workers cannot keep up.
    row(4, 'judge worker time / wall time in case 1 (beside it)', shares === undefined ? null : round(shares.judgeWorkerShare, 3)),
  ];
}

/**
 * Case 6: a server that keeps 600 requests and 200 000 tokens per sliding 60 s window and answers 429 past them,
 * reword at `--rpm 600 --tpm 200000` for `seconds` of load (then stopped as Ctrl-C would): the highest window
 * against the limits and the utilisation of the limit that binds.
 */
export async function caseRateLimits(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const rpm = 600;
  const tpm = 200_000;
  if (sizes.case6 === null) {
    return [row(6, 'rate limits (sliding 60 s window): skipped in --quick', null)];
  }
  const corpus = join(paths.tmp, 'case6.jsonl');
  // More work than the limits let through in the time, so the load never runs out.
  writeCorpus(corpus, { documents: Math.ceil((rpm * sizes.case6.seconds) / 60) + 1000, words: SHORT_WORDS, seed: 6 });
  const server = await startServer(join(paths.scripts, 'bench-server.js'), ['--rpm', String(rpm), '--tpm', String(tpm)]);
  let report: string;
  try {
    const { summary } = await rewordRun(paths, corpus, server.url, join(paths.tmp, 'case6.sqlite'), ['--rpm', String(rpm), '--tpm', String(tpm), '--concurrency', '16'], sizes.case6.seconds * 1000);
    log(`case 6: ${summary.requests} requests, ${summary.accepted} accepted, ${summary.failed} failed in ${seconds(summary.elapsedMs)}`);
  } finally {
    report = await server.stop();
  }
  const seen = JSON.parse(report.trim().split('\n').pop() ?? '{}') as { accepted: number; refused: number; peakRequests: number; peakTokens: number; utilisation: number | null };
  log(`case 6: server accepted ${seen.accepted}, refused ${seen.refused} (429)`);
  return [
    row(6, 'highest 60 s window, requests / rpm limit', round(seen.peakRequests / rpm, 3), { atMost: 1 }),
    row(6, 'highest 60 s window, tokens / tpm limit', round(seen.peakTokens / tpm, 3), { atMost: 1 }),
    row(6, 'utilisation of the binding limit', seen.utilisation === null ? null : round(seen.utilisation, 3), { atLeast: 0.95 }),
    row(6, '429 answers from the server', seen.refused),
  ];
}
