import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { openLedger } from '../ledger/open-ledger.js';
import { exportRecords } from '../ledger/export-rows.js';
import { toDolma } from '../ledger/dolma-record.js';
import { ExitCode } from './exit-codes.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('write accepted outputs as JSONL, one per line, with their provenance')
    .option('--ledger <path>', 'ledger file', 'reword.sqlite')
    .requiredOption('-o, --out <path>', 'output file (- for stdout)')
    .option('--style <id>', 'only this style')
    .addOption(new Option('--format <format>', 'jsonl: {id,text,metadata}; dolma: Dolma documents').choices(['jsonl', 'dolma']).default('jsonl'))
    .action(async (opts: { ledger: string; out: string; style?: string; format: 'jsonl' | 'dolma' }) => {
      let db;
      try {
        db = openLedger(opts.ledger, { readonly: true });
      } catch (err) {
        process.stderr.write(`reword export: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      const out = opts.out === '-' ? process.stdout : createWriteStream(opts.out);
      let n = 0;
      try {
        const exportedAt = new Date().toISOString();
        for (const rec of exportRecords(db, { style: opts.style })) {
          const line = JSON.stringify(opts.format === 'dolma' ? toDolma(rec, exportedAt) : rec);
          if (!out.write(line + '\n')) await once(out, 'drain');
          n++;
        }
      } finally {
        db.close();
      }
      if (out !== process.stdout) {
        out.end();
        await once(out, 'finish');
      }
      process.stderr.write(`reword: exported ${n} outputs${opts.out === '-' ? '' : ` to ${opts.out}`}\n`);
    });
}
