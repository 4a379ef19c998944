import type { InputError, SourceItem } from '../types.js';

// The reason codes of records and files that could not become documents. They are the vocabulary of the
// ledger's input_errors and of `reword stats`, so they are stable: add new ones, never rename.
export type InputErrorCode =
  | 'invalid_utf8'
  | 'malformed_json'
  | 'not_an_object'
  | 'missing_text'
  | 'non_string_text'
  | 'empty_text'
  | 'invalid_id'
  | 'binary_file'
  | 'unreadable_path';

export function inputError(fields: { path: string; line?: number; field?: string; code: InputErrorCode; message: string }): SourceItem {
  const error: InputError = { path: fields.path, code: fields.code, message: fields.message };
  if (fields.line !== undefined) error.line = fields.line;
  if (fields.field !== undefined) error.field = fields.field;
  return { kind: 'error', error };
}

/** "data.jsonl:12" or "notes.md": where the user should look. */
export function location(path: string, line?: number): string {
  return line === undefined ? path : `${path}:${line}`;
}

/** The system's reason for an I/O failure; Node's messages already start with the code ("EACCES: …"). */
export function ioReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function unreadablePath(path: string, err: unknown): SourceItem {
  return inputError({
    path,
    code: 'unreadable_path',
    message: `${path}: cannot be read (${ioReason(err)}); check that it exists and that its permissions let this user read it`,
  });
}
