import { stat } from 'node:fs/promises';
import { walkDirectory } from './walk.js';

/**
 * How far reading has got through the inputs, in bytes, so that progress can be estimated before every
 * document has been read. `readSources` keeps it up to date when it is given one: O(1) per document, no
 * stat per document.
 */
export interface InputPosition {
  /**
   * Bytes read so far: the input files finished, plus the bytes of the current one before the record being
   * handled (so that it agrees with the tasks counted so far, which do not yet include that record's).
   */
  inputBytesRead?: number;
  /**
   * Bytes of all the inputs, once known: at once when every input is a named regular file, after a sizing
   * walk (beside the reading) when some are directories, never when one is stdin or a pipe.
   */
  inputBytesTotal?: number;
}

/** The byte position across the files read one after another. */
export class ReadPosition {
  /** Bytes of the files finished. */
  private before = 0;

  constructor(private readonly target: InputPosition | undefined) {
    if (target) target.inputBytesRead = 0;
  }

  /** Reading has got to `offset` in the current file. */
  within(offset: number): void {
    if (this.target) this.target.inputBytesRead = this.before + offset;
  }

  /** The current file is finished after `size` bytes (0 for one that could not be read). */
  fileDone(size: number): void {
    this.before += size;
    if (this.target) this.target.inputBytesRead = this.before;
  }
}

/**
 * Sizes the inputs into `position.inputBytesTotal`. Named files are sized before this returns (one stat
 * each); directories are walked by the promise it returns, which ends early once `cancelled()`. Files a
 * directory walk passes over (hidden, unlisted kinds) are not counted, as they are not read. Nothing is
 * set when an input is stdin or not a regular file or directory (a pipe from `<(zcat …)` has no size).
 */
export async function sizeInputs(
  inputs: string[],
  position: InputPosition,
  cancelled: () => boolean,
): Promise<{ walk: Promise<void> }> {
  const none = { walk: Promise.resolve() };
  let total = 0;
  const directories: string[] = [];
  for (const input of inputs) {
    if (input === '-') return none;
    try {
      const stats = await stat(input);
      if (stats.isDirectory()) directories.push(input);
      else if (stats.isFile()) total += stats.size;
      else return none;
    } catch {
      // Reported as an input error by the reading; it adds no bytes.
    }
  }
  if (directories.length === 0) {
    position.inputBytesTotal = total;
    return none;
  }
  const walk = (async () => {
    for (const dir of directories) {
      for await (const entry of walkDirectory(dir)) {
        if (cancelled()) return;
        if (entry.kind !== 'file' || entry.format === 'unlisted') continue;
        try {
          total += (await stat(entry.path)).size;
        } catch {
          // Reported by the reading, if it meets the file.
        }
      }
    }
    if (!cancelled()) position.inputBytesTotal = total;
  })().catch(() => {
    // Only an estimate: a walk that fails leaves the total unknown.
  });
  return { walk };
}

/** The chunks of `source`, adding each one's size to `count`. */
export async function* countBytes(
  source: AsyncIterable<Uint8Array | string>,
  count: (bytes: number) => void,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    count(typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.byteLength);
    yield chunk;
  }
}
