import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import type { SourceItem } from '../types.js';
import { inputError, unreadablePath } from './input-errors.js';

/** Extensions read as one document per file. */
export const TEXT_EXTENSIONS: readonly string[] = ['.txt', '.md', '.markdown', '.text'];

/** How much of a file is looked at for NUL bytes, the way git and grep tell text from binary. */
const BINARY_SNIFF_BYTES = 8_192;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Whether a file's first bytes hold a NUL; used to report, not read, binary files met in a directory. */
export async function fileLooksBinary(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(BINARY_SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, BINARY_SNIFF_BYTES, 0);
    return looksBinary(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

export function binaryFileError(path: string): SourceItem {
  return inputError({
    path,
    code: 'binary_file',
    message: `${path}: looks like a binary file (it contains NUL bytes), so it was skipped; reword reads UTF-8 text, Markdown and JSONL, so convert it to text or leave it out of the inputs`,
  });
}

/** A whole text or Markdown file as one document whose id is its path; `onRead` hears its size once it is read. */
export async function readTextFile(path: string, onRead?: (bytes: number) => void): Promise<SourceItem> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return unreadablePath(path, err);
  }
  onRead?.(bytes.length);
  return textDocument(bytes, path);
}

/** A whole stream (stdin) as one text document. */
export async function readTextStream(source: AsyncIterable<Uint8Array | string>, path: string): Promise<SourceItem> {
  const pieces: Buffer[] = [];
  for await (const chunk of source) {
    pieces.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return textDocument(Buffer.concat(pieces), path);
}

export function textDocument(bytes: Buffer, path: string): SourceItem {
  if (looksBinary(bytes)) return binaryFileError(path);
  const body = bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return inputError({
      path,
      code: 'invalid_utf8',
      message: `${path}: not valid UTF-8; re-encode it as UTF-8 (for example: iconv -f latin1 -t utf-8 in.txt > out.txt)`,
    });
  }
  if (!/\S/.test(text)) {
    return inputError({ path, code: 'empty_text', message: `${path}: the file is empty or only whitespace; leave it out of the inputs or fill it in` });
  }
  return {
    kind: 'doc',
    doc: {
      id: path,
      text,
      meta: {},
      origin: { path, byteOffset: 0 },
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    },
  };
}
