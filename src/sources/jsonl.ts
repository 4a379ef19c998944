import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SourceItem } from '../types.js';
import { inputError, location } from './input-errors.js';
import { readLines, type RawLine } from './line-reader.js';

/** Which fields of a record hold the text and the id. */
export interface RecordFields {
  textField: string;
  idField: string;
}

const jsonObject = z.record(z.string(), z.unknown());

// Fatal so that bad bytes become an input error instead of U+FFFD in the corpus. ignoreBOM keeps a U+FEFF
// inside a line as data: only the stream's leading BOM is a BOM, and the line reader has dropped it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MAX_REASON_LENGTH = 160;
/** Blank-or-not without trim(), which would copy a 20 MB line to find out. */
const HAS_NON_SPACE = /\S/;
const FIELDS_LISTED = 8;

/**
 * Documents of a JSONL stream, one per non-blank line, with an input error for each line that cannot be
 * one. Holds one line at a time.
 */
export async function* readJsonl(
  source: AsyncIterable<Uint8Array | string>,
  path: string,
  fields: RecordFields,
): AsyncGenerator<SourceItem> {
  for await (const line of readLines(source)) {
    const item = parseJsonlLine(line, path, fields);
    if (item) yield item;
  }
}

/** The document or input error a line stands for; null for a blank line. */
export function parseJsonlLine(line: RawLine, path: string, fields: RecordFields): SourceItem | null {
  const where = location(path, line.line);
  let source: string;
  try {
    source = utf8.decode(line.bytes);
  } catch {
    return inputError({
      path,
      line: line.line,
      code: 'invalid_utf8',
      message: `${where}: the line is not valid UTF-8; re-encode the file as UTF-8 (for example: iconv -f latin1 -t utf-8 in.jsonl > out.jsonl)`,
    });
  }
  if (!HAS_NON_SPACE.test(source)) return null;

  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).slice(0, MAX_REASON_LENGTH);
    return inputError({
      path,
      line: line.line,
      code: 'malformed_json',
      message: `${where}: not valid JSON (${reason}); each line must hold one complete JSON object, so fix the line or remove it`,
    });
  }

  const record = jsonObject.safeParse(value);
  if (!record.success) {
    return inputError({
      path,
      line: line.line,
      code: 'not_an_object',
      message: `${where}: the line holds ${describe(value)} where a JSON object was expected; each line must be an object such as {"${fields.textField}": "…"}`,
    });
  }
  const { [fields.textField]: text, [fields.idField]: id, ...meta } = record.data;

  const checked = checkText(text, record.data, fields.textField, where);
  if (!checked.ok) return inputError({ path, line: line.line, field: fields.textField, ...checked.problem });

  const docId = documentId(id, `${path}:${line.line}`);
  if (docId === null) {
    return inputError({
      path,
      line: line.line,
      field: fields.idField,
      code: 'invalid_id',
      message: `${where}: field "${fields.idField}" is ${describe(id)}; an id must be a non-empty string or an integer JSON can hold exactly, so fix it or use --id-field to name the field that holds the id`,
    });
  }

  return {
    kind: 'doc',
    doc: {
      id: docId,
      text: checked.text,
      meta,
      origin: { path, line: line.line, byteOffset: line.byteOffset },
      sha256: createHash('sha256').update(checked.text, 'utf8').digest('hex'),
    },
  };
}

type TextCheck =
  | { ok: true; text: string }
  | { ok: false; problem: { code: 'missing_text' | 'non_string_text' | 'empty_text'; message: string } };

function checkText(text: unknown, record: Record<string, unknown>, textField: string, where: string): TextCheck {
  if (text === undefined || text === null) {
    const state = text === null ? 'is null' : 'is missing';
    return {
      ok: false,
      problem: {
        code: 'missing_text',
        message: `${where}: field "${textField}" ${state} (the record has ${fieldList(record)}); use --text-field to name the field that holds the text`,
      },
    };
  }
  if (typeof text !== 'string') {
    return {
      ok: false,
      problem: {
        code: 'non_string_text',
        message: `${where}: field "${textField}" is ${describe(text)}, not a string; use --text-field to name the field that holds the text`,
      },
    };
  }
  if (!HAS_NON_SPACE.test(text)) {
    return {
      ok: false,
      problem: { code: 'empty_text', message: `${where}: field "${textField}" is empty or only whitespace; remove the record or fill in its text` },
    };
  }
  return { ok: true, text };
}

/**
 * The record's id as a string; `fallback` (path:line) when it has none. Null for an id that cannot be
 * used: an empty string, an object, or an integer too large for JSON.parse to keep exact (two different
 * ids would silently become the same one).
 */
function documentId(id: unknown, fallback: string): string | null {
  if (id === undefined || id === null) return fallback;
  if (typeof id === 'string') return id === '' ? null : id;
  if (typeof id === 'number') return Number.isInteger(id) && !Number.isSafeInteger(id) ? null : String(id);
  return null;
}

function fieldList(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no fields';
  const shown = keys.slice(0, FIELDS_LISTED).map((k) => JSON.stringify(k));
  return `fields ${shown.join(', ')}${keys.length > FIELDS_LISTED ? ', …' : ''}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
