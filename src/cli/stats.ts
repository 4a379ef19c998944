import { Command } from 'commander';
import { openLedger } from '../ledger/open-ledger.js';
import { ledgerStats, type LedgerStats, type TaskCounts } from '../ledger/stats.js';
import { ExitCode } from './exit-codes.js';

function pct(n: number, d: number): string {
  return d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '-';
}

function countsRow(name: string, c: TaskCounts): string {
  return `  ${name.padEnd(24)} ${String(c.total).padStart(8)} ${String(c.accepted).padStart(9)} ${pct(c.accepted, c.total).padStart(7)} ${String(c.rejected).padStart(9)} ${String(c.failed).padStart(7)} ${String(c.pending).padStart(8)}`;
}

function reasonLines(r: Record<string, number>): string[] {
  const entries = Object.entries(r);
  return entries.length === 0 ? ['  (none)'] : entries.map(([k, n]) => `  ${k.padEnd(28)} ${String(n).padStart(8)}`);
}

export function formatStats(s: LedgerStats): string {
  const header = `  ${''.padEnd(24)} ${'tasks'.padStart(8)} ${'accepted'.padStart(9)} ${''.padStart(7)} ${'rejected'.padStart(9)} ${'failed'.padStart(7)} ${'pending'.padStart(8)}`;
  const out = [
    `runs ${s.runs} · documents ${s.documents} · input errors ${s.input_errors.total}`,
    ...Object.entries(s.input_errors.by_code).map(([k, n]) => `  ${k.padEnd(28)} ${String(n).padStart(8)}`),
    '',
    'tasks',
    header,
    countsRow('all', s.tasks),
    '',
    'by style',
    ...Object.entries(s.by_style).map(([k, c]) => countsRow(k, c)),
    '',
    'by model',
    ...Object.entries(s.by_model).map(([k, c]) => countsRow(k, c)),
    '',
    'most common openings of accepted outputs',
    ...(Object.values(s.openings).every((list) => list.length === 0)
      ? ['  (no opening shared by two outputs)']
      : Object.entries(s.openings).filter(([, list]) => list.length > 0).flatMap(([style, list]) => [
          `  ${style}`,
          ...list.map((o) => `    ${`"${o.phrase}…"`.padEnd(40)} ${String(o.count).padStart(8)} ${`${(o.share * 100).toFixed(1)}%`.padStart(7)}`),
        ])),
    '',
    'rejected candidates by reason',
    ...reasonLines(s.rejections.candidates),
    '',
    'rejected and failed tasks by last reason',
    ...reasonLines(s.rejections.tasks),
    '',
    `usage: ${s.usage.requests} requests (${s.usage.failed_requests} failed) · ${s.usage.prompt_tokens} prompt + ${s.usage.completion_tokens} completion tokens · latency p50 ${s.usage.latency_ms_p50 ?? '-'} ms, p95 ${s.usage.latency_ms_p95 ?? '-'} ms${s.usage.cost_usd === null ? '' : ` · spend ${s.usage.cost_usd.toFixed(4)} USD`}`,
  ];
  return out.join('\n') + '\n';
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('task outcomes, rejection reasons, usage and latency from a ledger')
    .option('--ledger <path>', 'ledger file', 'reword.sqlite')
    .option('--json', 'print one JSON object')
    .action((opts: { ledger: string; json?: boolean }) => {
      let db;
      try {
        db = openLedger(opts.ledger, { readonly: true });
      } catch (err) {
        process.stderr.write(`reword stats: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      try {
        const s = ledgerStats(db);
        process.stdout.write(opts.json ? JSON.stringify(s) + '\n' : formatStats(s));
      } finally {
        db.close();
      }
    });
}
