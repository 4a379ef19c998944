import { Command } from 'commander';
import { openLedger } from '../ledger/open-ledger.js';
import { traceTasks, type TraceTask } from '../ledger/trace.js';
import { ExitCode } from './exit-codes.js';

function indent(text: string, pad = '    '): string {
  return text.split('\n').map((l) => pad + l).join('\n');
}

export function formatTrace(t: TraceTask): string {
  const out: string[] = [];
  out.push(`task ${t.id}  [${t.status}${t.reasons.length ? ': ' + t.reasons.join(', ') : ''}]`);
  out.push(`  style ${t.style} (${t.kind}) · model ${t.model} · params ${JSON.stringify(t.params)}`);
  out.push(`  prompt ${t.prompt.sha256} (${t.prompt.path}):`);
  out.push(indent(t.prompt.body.trimEnd(), '    > '));
  for (const s of t.sources) {
    out.push(`  source ${s.doc_id} · ${s.path}${s.line != null ? `:${s.line}` : ''} · byte ${s.byte_offset} · sha256 ${s.sha256}`);
  }
  out.push(`  chunk ${t.chunk.index} · chars ${t.chunk.start}-${t.chunk.end} · ${t.chunk.tokens} tokens`);
  out.push(indent(t.chunk.text));
  for (const a of t.attempts) {
    const usage = a.prompt_tokens != null ? ` · ${a.prompt_tokens}+${a.completion_tokens} tokens` : '';
    const latency = a.latency_ms != null ? ` · ${Math.round(a.latency_ms)} ms` : '';
    out.push(`  attempt ${a.attempt_no} · ${a.endpoint} · seed ${a.seed ?? '-'}${usage}${latency}${a.error ? ` · error ${a.error.code}: ${a.error.message ?? ''}` : ''}`);
    for (const c of a.candidates) {
      out.push(`    candidate ${c.index} [${c.pass ? 'pass' : 'reject'}] score ${c.score.toFixed(2)} · finish ${c.finish_reason}`);
      for (const v of c.verdicts) {
        out.push(`      ${v.pass ? 'ok  ' : 'FAIL'} ${v.evaluator.padEnd(16)} ${v.score.toFixed(2)} ${v.reason}${v.pass || v.details == null ? '' : ' ' + JSON.stringify(v.details).slice(0, 300)}`);
      }
      out.push(indent(c.text, '      | '));
    }
  }
  if (t.output) {
    out.push(`  accepted output (run ${t.output.run_id}):`);
    out.push(indent(t.output.text));
    if (t.output.attributions.length > 0) {
      out.push('  sentence attributions (output sentence ← source span, support):');
      for (const a of t.output.attributions) {
        out.push(`    ${a.support.toFixed(2)}  ${a.output_sentence.trim()}`);
        out.push(`          ← ${a.source_start != null ? `[${a.source_start}-${a.source_end}] ${a.source_text?.trim() ?? ''}` : '(no supporting span)'}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

export function traceCommand(): Command {
  return new Command('trace')
    .description('show an output (or every task of a document) with its source chunk, prompt, candidates and verdicts')
    .argument('<id>', 'output id (as exported; a prefix of 8+ characters is enough) or document id')
    .option('--ledger <path>', 'ledger file', 'reword.sqlite')
    .option('--json', 'print JSON: an array of tasks')
    .action((id: string, opts: { ledger: string; json?: boolean }) => {
      let db;
      try {
        db = openLedger(opts.ledger, { readonly: true });
      } catch (err) {
        process.stderr.write(`reword trace: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.usage;
        return;
      }
      try {
        const tasks = traceTasks(db, id);
        if (tasks.length === 0) {
          process.stderr.write(`reword trace: no output or document '${id}' in ${opts.ledger}: use an id from 'reword export' or a source document id\n`);
          process.exitCode = ExitCode.usage;
          return;
        }
        process.stdout.write(opts.json ? JSON.stringify(tasks, null, 2) + '\n' : tasks.map(formatTrace).join('\n'));
      } finally {
        db.close();
      }
    });
}
