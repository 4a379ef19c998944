import { Command } from 'commander';
import { openLedger } from '../ledger/open-ledger.js';
import { verifyLedger } from '../ledger/verify.js';
import { ExitCode } from './exit-codes.js';

export function verifyCommand(): Command {
  return new Command('verify')
    .description('check a ledger: SQLite integrity, foreign keys and the ledger invariants; exit 0 only when clean')
    .option('--ledger <path>', 'ledger file', 'reword.sqlite')
    .option('--json', 'print the problems as JSON')
    .action((opts: { ledger: string; json?: boolean }) => {
      let db;
      try {
        db = openLedger(opts.ledger, { readonly: true });
      } catch (err) {
        process.stderr.write(`reword verify: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      try {
        const problems = verifyLedger(db);
        const total = problems.reduce((n, p) => n + p.count, 0);
        if (opts.json) process.stdout.write(JSON.stringify({ ok: problems.length === 0, problems: total, checks: problems }) + '\n');
        else if (problems.length === 0) process.stdout.write(`${opts.ledger}: ok (integrity, foreign keys, invariants)\n`);
        else {
          process.stdout.write(`${opts.ledger}: ${total} problems\n`);
          for (const p of problems) process.stdout.write(`  ${p.check}: ${p.count} (e.g. ${p.examples.join(', ')})\n`);
        }
        if (problems.length > 0) process.exitCode = ExitCode.ledgerProblems;
      } finally {
        db.close();
      }
    });
}
