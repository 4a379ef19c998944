import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { ProviderError } from '../providers/errors.js';
import { StyleFileError } from '../prompts.js';
import { UnknownEvaluatorError } from '../../evaluators/index.js';
import { EvaluatorOptionsError } from '../evaluator-options.js';
import { buildRunConfig, type RunFlags } from './run-config.js';
import { LedgerError } from '../ledger/open-ledger.js';
import { InputPathError } from '../sources/read-sources.js';
import type { InputError } from '../types.js';
import { ExitCode } from './exit-codes.js';
import { createProgressReporter, formatProgressLine, type ProgressMode } from './progress.js';

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const num = (v: string): number => Number(v);

/** The flags shared by every command that plans a run (`run`, and later `plan`). */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-i, --input <paths>', 'input files or directories (comma-separated or repeated); - for stdin', list)
    .option('-s, --style <ids>', 'styles to produce (comma-separated, default wiki); see `reword prompts list`', list)
    .option('--ledger <path>', 'SQLite ledger to write and resume from', 'reword.sqlite')
    .option('--config <file>', 'endpoints (and run defaults) from a YAML or JSON file; see the README')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default http://127.0.0.1:8000/v1)')
    .option('-m, --model <name>', 'model name as the server knows it (required without --config)')
    .option('--api-key-env <VAR>', 'environment variable holding the API key (default OPENAI_API_KEY)')
    .option('--text-field <name>', 'JSONL field holding the text (default text)')
    .option('--id-field <name>', 'JSONL field holding the document id (default id)')
    .addOption(new Option('--stdin-format <format>', 'how to read - (stdin)').choices(['jsonl', 'text']))
    .option('--prompts <dir>', 'directory of extra style files (same id replaces a built-in)')
    .option('--chunk-tokens <n>', 'maximum tokens per chunk (default 400)', num)
    .option('--concurrency <n>', 'requests in flight (default 8)', num)
    .option('--rpm <n>', 'requests per minute limit', num)
    .option('--tpm <n>', 'tokens per minute limit (prompt + max_tokens, reconciled with usage)', num)
    .option('--max-retries <n>', 'retries per request after 429/5xx/timeouts (default 6)', num)
    .option('--candidates <n>', 'candidates per request (n, default 1)', num)
    .option('--max-attempts <n>', 'judged attempts per task before rejecting (default 3)', num)
    .option('--temperature <t>', "sampling temperature (default: the style's)", num)
    .option('--top-p <p>', 'nucleus sampling', num)
    .option('--seed <n>', 'base seed (default 0)', num)
    .option('--timeout-ms <n>', 'per-request timeout (default 120000)', num)
    .option('--max-cost <usd>', 'stop cleanly before the estimated spend passes this (needs endpoint prices)', num)
    .option('--max-tokens <n>', 'stop cleanly before prompt + completion tokens pass this', num)
    .option('--judge-model <name>', 'add an LLM judge (tier 3) to every style, served by this model')
    .option('--judge-base-url <url>', "the judge model's OpenAI-compatible endpoint (default: the rephrasing endpoint)")
    .option('--judge-api-key-env <VAR>', "variable holding the judge endpoint's key (default: --api-key-env)")
    .addOption(new Option('--judge-mode <mode>', 'which candidates the judge model sees').choices(['all', 'borderline', 'sample']))
    .option('--judge-sample-rate <r>', 'share of candidates judged in sample mode (default 0.1)', num)
    .option('--judge-threads <n>', 'worker threads running the evaluators (default: cores - 1; 0 = none)', num);
}

/** Errors the user can fix: printed as one message, exit 1. */
export function isUsageError(err: unknown): err is Error {
  return [ConfigError, LedgerError, InputPathError, StyleFileError, UnknownEvaluatorError, EvaluatorOptionsError].some((type) => err instanceof type);
}

async function runAction(flags: RunFlags & { progress: ProgressMode }): Promise<void> {
  let config;
  try {
    config = buildRunConfig(flags);
  } catch (err) {
    if (!isUsageError(err)) throw err;
    process.stderr.write(`reword run: ${err.message}\n`);
    process.exitCode = ExitCode.usage;
    return;
  }
  const stopper = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nreword: stopping — finishing requests in flight (Ctrl-C again to quit at once; the next run resumes)\n');
      stopper.abort();
    } else {
      // Safe: every committed transaction is complete; what was not committed is requested again on resume.
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reporter = createProgressReporter(flags.progress);
  // Bad records are reported as they are met, but a file of a million bad lines must not flood the terminal.
  let inputErrorsShown = 0;
  const maxInputErrorsShown = 20;
  const onInputError = (e: InputError): void => {
    inputErrorsShown++;
    if (inputErrorsShown <= maxInputErrorsShown) process.stderr.write(`reword: skipped input: ${e.message}\n`);
    else if (inputErrorsShown === maxInputErrorsShown + 1) process.stderr.write('reword: more input errors: see reword stats\n');
  };
  try {
    // Loaded here so that `stats`, `trace` and `--help` do not pay for the providers and tokenizer at start-up.
    const { runRephrase } = await import('../engine.js');
    const summary = await runRephrase(config, {
      stopSignal: stopper.signal,
      onProgress: reporter.update,
      onInputError,
      progressIntervalMs: reporter.intervalMs,
    });
    reporter.stop();
    // For `npm run bench` and scripts: the whole summary, timings included, as one JSON file.
    const summaryPath = process.env['REWORD_SUMMARY_JSON'];
    if (summaryPath) writeFileSync(summaryPath, JSON.stringify(summary) + '\n');
    process.stderr.write(
      `reword: run ${summary.runId} ${summary.status}: ${summary.documents} documents, ${summary.inputErrors} input errors; ` +
        `${formatProgressLine(summary)}; ${summary.tasksSkipped} tasks already done\n`,
    );
    if (summary.inputErrors > 0) {
      process.stderr.write(`reword: ${summary.inputErrors} input records were skipped; see 'reword stats --ledger ${config.ledger}'\n`);
    }
    if (summary.status === 'stopped_fatal') {
      process.stderr.write(`reword: stopped: ${summary.fatalError ?? 'fatal provider error'}\n`);
      process.exitCode = ExitCode.fatalProvider;
    } else if (summary.status === 'stopped_budget') {
      process.stderr.write(`reword: stopped before the budget ran out: ${summary.budgetStop ?? ''}; raise the budget and run the same command to continue\n`);
    } else if (summary.status === 'interrupted') {
      process.exitCode = ExitCode.interrupted;
    }
  } catch (err) {
    reporter.stop();
    if (isUsageError(err)) {
      process.stderr.write(`reword run: ${err.message}\n`);
      process.exitCode = ExitCode.usage;
      return;
    }
    if (err instanceof ProviderError) {
      process.stderr.write(`reword run: ${err.message}\n`);
      process.exitCode = ExitCode.fatalProvider;
      return;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function runCommand(): Command {
  const cmd = new Command('run').description('rephrase the inputs in the given styles, judge each candidate, record everything in the ledger');
  addRunOptions(cmd).addOption(
    new Option('--progress <mode>', 'progress display: live bar on a terminal, periodic lines otherwise').choices(['auto', 'bar', 'plain', 'none']).default('auto'),
  );
  return cmd.action(runAction);
}
