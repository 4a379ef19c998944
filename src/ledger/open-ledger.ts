import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

export interface OpenLedgerOptions {
  /** Open for reading only (stats, trace, export); the file must exist. */
  readonly?: boolean;
  /** The schema's migrations, oldest first; default the ones this reword ships. Tests pass their own. */
  migrations?: readonly string[];
}

/**
 * Opens (creating if needed) a ledger, migrating an older schema forward in one transaction.
 * A ledger written by a newer reword is refused rather than misread.
 */
export function openLedger(path: string, opts: OpenLedgerOptions = {}): Db {
  if (opts.readonly && !existsSync(path)) {
    throw new LedgerError(`ledger ${path} does not exist: pass the --ledger file a 'reword run' wrote`);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new LedgerError(`cannot open ledger ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a process crash (SIGKILL) without fsync on every commit;
      // only a power loss can drop the last transactions, which resume re-requests.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path, opts.readonly ?? false, opts.migrations ?? migrations);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof LedgerError) throw err;
    // A file that is not SQLite (an input passed as --ledger by mistake) or is damaged fails on first use.
    throw new LedgerError(`cannot use ${path} as a ledger: ${(err as Error).message}; pass a ledger file that 'reword run' wrote, or a new path`);
  }
}

function migrate(db: Db, path: string, readonly: boolean, steps: readonly string[]): void {
  const target = steps.length;
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const current = version();
  if (current > target) {
    throw new LedgerError(
      `ledger ${path} has schema version ${current}, but this reword understands up to version ${target}: ` +
        `upgrade reword to read it`,
    );
  }
  if (current === target) return;
  if (readonly) {
    throw new LedgerError(
      `ledger ${path} has schema version ${current} and needs migrating to ${target}: ` +
        `run any writing command (e.g. 'reword run') on it first`,
    );
  }
  const apply = db.transaction(() => {
    // Read again under the write lock: another process opening the same ledger may have migrated it meanwhile.
    const from = version();
    if (from > target) {
      throw new LedgerError(`ledger ${path} was just migrated to schema version ${from} by a newer reword (this one understands up to ${target})`);
    }
    for (let v = from; v < target; v++) {
      try {
        db.exec(steps[v]!);
      } catch (err) {
        throw new LedgerError(
          `ledger ${path}: migration to schema version ${v + 1} failed (${(err as Error).message}); ` +
            `the ledger is unchanged at version ${from}`,
        );
      }
    }
    db.pragma(`user_version = ${target}`);
  });
  apply.immediate();
}
