import { Command } from 'commander';
import type { RunPlan } from '../plan.js';
import { ExitCode } from './exit-codes.js';
import { buildRunConfig, type RunFlags } from './run-config.js';
import { addRunOptions, isUsageError } from './run.js';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const usd = (x: number | null): string => (x === null ? 'no prices' : `$${x.toFixed(x < 1 ? 4 : 2)}`);

function duration(minutes: number | null): string {
  if (minutes === null) return 'not bounded by the configured limits (an endpoint has no rpm/tpm): the servers decide';
  if (minutes < 1) return `${Math.ceil(minutes * 60)} s`;
  if (minutes < 120) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

export function formatPlan(p: RunPlan): string {
  const toDo = p.tasks - p.tasksDone;
  const lines = [
    `documents        ${n(p.documents)}${p.inputErrors ? ` (+${n(p.inputErrors)} input errors)` : ''}`,
    `chunks           ${n(p.chunks)}`,
    `tasks            ${n(p.tasks)}${p.tasksDone ? ` (${n(p.tasksDone)} already done in the ledger; ${n(toDo)} to request)` : ''}`,
    `input tokens     ${n(p.inputTokens)}   (estimated, one attempt per task)`,
    `output tokens    ${n(p.outputTokens)}`,
    '',
    `${'endpoint'.padEnd(40)} ${'share'.padStart(6)} ${'requests'.padStart(10)} ${'in tokens'.padStart(12)} ${'out tokens'.padStart(12)} ${'cost'.padStart(10)} ${'req/min'.padStart(8)}`,
    ...p.endpoints.map(
      (e) =>
        `${e.name.slice(0, 40).padEnd(40)} ${`${(e.share * 100).toFixed(0)}%`.padStart(6)} ${n(e.requests).padStart(10)} ${n(e.inputTokens).padStart(12)} ${n(e.outputTokens).padStart(12)} ${usd(e.cost).padStart(10)} ${(e.requestsPerMinute === null ? '-' : n(e.requestsPerMinute)).padStart(8)}`,
    ),
    '',
    `estimated cost   ${usd(p.cost)}${p.cost !== null && p.maxAttempts > 1 ? `; up to ${usd(p.cost * p.maxAttempts)} if every task used all ${p.maxAttempts} attempts` : ''}`,
    `time at limits   ${duration(p.minutes)}`,
  ];
  return lines.join('\n') + '\n';
}

export function planCommand(): Command {
  const cmd = new Command('plan').description('read the input and estimate tasks, tokens, cost and time for a run; sends no request');
  return addRunOptions(cmd)
    .option('--json', 'print one JSON object')
    .action(async (flags: RunFlags & { json?: boolean }) => {
      try {
        const config = buildRunConfig(flags);
        const { planRun } = await import('../plan.js');
        const plan = await planRun(config);
        process.stdout.write(flags.json ? JSON.stringify(plan) + '\n' : formatPlan(plan));
      } catch (err) {
        if (!isUsageError(err)) throw err;
        process.stderr.write(`reword plan: ${err.message}\n`);
        process.exitCode = ExitCode.usage;
      }
    });
}
