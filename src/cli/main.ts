#!/usr/bin/env node
import { Command } from 'commander';
import { rewordVersion } from '../version.js';
import { exportCommand } from './export.js';
import { judgeCommand } from './judge.js';
import { planCommand } from './plan.js';
import { promptsCommand } from './prompts.js';
import { runCommand } from './run.js';
import { statsCommand } from './stats.js';
import { traceCommand } from './trace.js';
import { verifyCommand } from './verify.js';

const program = new Command('reword')
  .description('Rephrase corpora for LLM pretraining with rejection sampling and full provenance')
  .version(rewordVersion)
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(runCommand())
  .addCommand(planCommand())
  .addCommand(statsCommand())
  .addCommand(traceCommand())
  .addCommand(exportCommand())
  .addCommand(judgeCommand())
  .addCommand(promptsCommand())
  .addCommand(verifyCommand());

await program.parseAsync(process.argv);
// Every command has finished and flushed its output (stdout/stderr to files and pipes are synchronous on
// POSIX): a timer left behind by a library must not keep a finished CLI alive.
process.exit(process.exitCode ?? 0);
