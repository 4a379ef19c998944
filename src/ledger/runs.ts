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

/**
 * Registers a new run, refusing when another live process is running on this ledger.
 * A run left 'running' by a process that no longer exists (killed) is marked crashed and does not block.
 */
export function beginRun(db: Db, ledgerPath: string, config: unknown, version: string): number {
  const begin = db.transaction((): number => {
    const running = db.prepare(`SELECT id, pid FROM runs WHERE status = 'running'`).all() as Array<{
      id: number;
      pid: number;
    }>;
    for (const run of running) {
      if (run.pid !== process.pid && isAlive(run.pid)) throw new LedgerBusyError(ledgerPath, run.pid);
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
