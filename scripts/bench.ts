// `npm run bench`: reword's own cost measured against the limit, side by side (issue 6).
//
//   npm run bench                     every case, at sizes that take about ten minutes on 2 cores
//   npm run bench -- --quick          a smaller smoke version (two or three minutes; no rate-limit case)
//   npm run bench -- --full           the sizes (20 000 documents, 100 000-document run…): most of an hour
//   npm run bench -- --json           one JSON object: {"machine": {...}, "cases": [{"case","figure","value","target","met"}]}
//   npm run bench -- --cases 1,4      only these cases (4's share of wall time needs case 1)
//   npm run bench -- --keep           keep the generated inputs and ledgers (their directory is printed)
//
// Inputs are generated in a temp dir; reword runs as its real CLI, against loopback servers in processes of
// their own. Progress goes to stderr; the table (or the JSON) to stdout.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { caseJudge, caseMemory, caseOverhead } from './bench-cases.js';
import { caseLatencyBound, caseRateLimits } from './bench-server-bound.js';
import { DEFAULT, FULL, QUICK, type BenchPaths, type CaseRow } from './bench-support.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    cases: { type: 'string', default: '1,2,3,4,5,6' },
    keep: { type: 'boolean', default: false },
  },
});
const selected = new Set(values.cases.split(',').map((c) => Number(c.trim())));
const sizes = values.quick ? QUICK : values.full ? FULL : DEFAULT;

// This file is dist/scripts/bench.js; the CLI is dist/src/cli/main.js.
const scripts = dirname(fileURLToPath(import.meta.url));
const paths: BenchPaths = {
  cli: resolve(scripts, '..', 'src', 'cli', 'main.js'),
  scripts,
  tmp: mkdtempSync(join(tmpdir(), 'reword-bench-')),
};

const machine = {
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg()[0] ?? 0,
  sizes: values.quick ? 'quick' : values.full ? 'full' : 'default',
};

const rows: CaseRow[] = [];
const started = performance.now();
try {
  // Case 1 runs first: cases 4 and 5 report shares of its wall time.
  let shares: { judgeShare: number; judgeWorkerShare: number; ledgerShare: number } | undefined;
  if (selected.has(1) || selected.has(5)) {
    const overhead = await caseOverhead(paths, sizes);
    shares = overhead;
    rows.push(...overhead.rows);
  }
  if (selected.has(2)) rows.push(...(await caseLatencyBound(paths, sizes)));
  if (selected.has(3)) rows.push(...(await caseMemory(paths, sizes)));
  if (selected.has(4)) rows.push(...(await caseJudge(paths, sizes, shares)));
  if (selected.has(6)) rows.push(...(await caseRateLimits(paths, sizes)));
} finally {
  if (values.keep) process.stderr.write(`bench: inputs and ledgers kept in ${paths.tmp}\n`);
  else rmSync(paths.tmp, { recursive: true, force: true });
}
rows.sort((a, b) => a.case - b.case);
const report = { machine: { ...machine, loadAverageAtEnd: loadavg()[0] ?? 0, minutes: Math.round((performance.now() - started) / 600) / 100 }, cases: rows };

if (values.json) {
  process.stdout.write(JSON.stringify(report) + '\n');
} else {
  process.stdout.write(formatTable(rows) + '\n' + formatMachine(report.machine) + '\n');
}

function formatTable(list: readonly CaseRow[]): string {
  const cells = list.map((r) => [String(r.case), r.figure, r.value === null ? '—' : String(r.value), r.target ?? '', r.met === null ? '' : r.met ? 'met' : 'NOT MET']);
  const header = ['case', 'figure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 2 ? x.padStart(widths[i] as number) : x.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatMachine(m: typeof report.machine): string {
  return `machine: ${m.nproc} cores, ${m.cpu}, ${m.memoryGb} GB, node ${m.node}, ${m.platform}; load average ${m.loadAverageAtStart.toFixed(1)} at start, ${m.loadAverageAtEnd.toFixed(1)} at end; ${m.minutes} min, ${m.sizes} sizes`;
}
