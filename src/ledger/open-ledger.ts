import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { migrations, schemaVersion } from './migrations.js';

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
    migrate(db, path, opts.readonly ?? false);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > schemaVersion) {
    throw new LedgerError(
      `ledger ${path} has schema version ${current}, but this reword understands up to version ${schemaVersion}: ` +
        `upgrade reword to read it`,
    );
  }
  if (current === schemaVersion) return;
  if (readonly) {
    throw new LedgerError(
      `ledger ${path} has schema version ${current} and needs migrating to ${schemaVersion}: ` +
        `run any writing command (e.g. 'reword run') on it first`,
    );
  }
  const apply = db.transaction(() => {
    for (let v = current; v < schemaVersion; v++) {
      db.exec(migrations[v]!);
    }
    db.pragma(`user_version = ${schemaVersion}`);
  });
  apply.immediate();
}
