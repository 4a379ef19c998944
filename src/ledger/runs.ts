import { readFileSync } from 'node:fs';
import type { Db } from './open-ledger.js';
import { LedgerError } from './open-ledger.js';

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'stopped_fatal' | 'stopped_budget' | 'crashed';

export class LedgerBusyError extends LedgerError {
  constructor(
    path: string,
    readonly holderPid: number,
  ) {
    super(
      `ledger ${path} is held by a running reword process (pid ${holderPid}): ` +
        `wait for it to finish, stop it (kill -INT ${holderPid}), or use another --ledger`,
    );
    this.name = 'LedgerBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux reports process start times in clock ticks since boot; USER_HZ is 100 on every Linux architecture. */
const CLOCK_TICKS_PER_SECOND = 100;
/** Slack for the boot-time estimate (whole seconds, shifted by clock adjustments) and the run's start-up. */
const START_TIME_SLACK_MS = 30_000;

/**
 * When the process with this pid started (ms since epoch), where the system says (Linux /proc); undefined elsewhere.
 * Field 22 of /proc/PID/stat is the start time; the command name before it may hold spaces, so fields are
 * counted after its closing parenthesis.
 */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * Whether the run registered at `startedAt` by `pid` may still be running. A live process that started after
 * the run did cannot be the one that registered it: the pid was reused (after a reboot or a long time), and
 * the run is dead. Telling the user to stop that process would be harmful.
 */
function holderAlive(pid: number, startedAt: string): boolean {
  if (!isAlive(pid)) return false;
  const processStart = processStartMs(pid);
  const runStart = Date.parse(startedAt);
  if (processStart === undefined || Number.isNaN(runStart)) return true;
  return processStart <= runStart + START_TIME_SLACK_MS;
}

/**
 * Registers a new run, refusing when another live process is running on this ledger.
 * A run left 'running' by a process that no longer exists (killed) is marked crashed and does not block.
 */
export function beginRun(db: Db, ledgerPath: string, config: unknown, version: string): number {
  const begin = db.transaction((): number => {
    const running = db.prepare(`SELECT id, pid, started_at FROM runs WHERE status = 'running'`).all() as Array<{
      id: number;
      pid: number;
      started_at: string;
    }>;
    for (const run of running) {
      if (run.pid !== process.pid && holderAlive(run.pid, run.started_at)) throw new LedgerBusyError(ledgerPath, run.pid);
      db.prepare(`UPDATE runs SET status = 'crashed' WHERE id = ?`).run(run.id);
    }
    const info = db
      .prepare(
        `INSERT INTO runs (started_at, status, pid, reword_version, config_json) VALUES (?, 'running', ?, ?, ?)`,
      )
      .run(new Date().toISOString(), process.pid, version, JSON.stringify(config));
    return Number(info.lastInsertRowid);
  });
  // IMMEDIATE takes the write lock before reading, so two runs starting together cannot both pass the check.
  return begin.immediate();
}

export function finishRun(db: Db, runId: number, status: RunStatus): void {
  db.prepare(`UPDATE runs SET status = ?, finished_at = ? WHERE id = ?`).run(status, new Date().toISOString(), runId);
}
