import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { SourceItem } from '../types.js';
import { unreadablePath } from './input-errors.js';
import { countBytes, ReadPosition, sizeInputs, type InputPosition } from './input-position.js';
import { readJsonl } from './jsonl.js';
import { binaryFileError, fileLooksBinary, readTextFile, readTextStream } from './text-files.js';
import { walkDirectory, type FileFormat } from './walk.js';

export interface SourceOptions {
  /** Field of a JSONL record that holds the text (the run configuration's default is "text"). */
  textField: string;
  /** Field of a JSONL record that holds the document id (default "id"); without one the id is `path:line`. */
  idField: string;
  /** How "-" is read: JSON Lines (the default), or all of stdin as one text document. */
  stdinFormat?: 'jsonl' | 'text';
  /** The stream "-" reads; process.stdin unless a test or an embedding program passes its own. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Kept up to date with the bytes read and, when it can be known, the bytes of all the inputs. */
  position?: InputPosition;
}

/** An input named on the command line is missing or unreadable: the run does not start. */
export class InputPathError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputPathError';
  }
}

const STDIN = '-';
const JSONL_EXTENSIONS = ['.jsonl', '.ndjson', '.json'];

/**
 * Checks, before anything is read or sent, that every input exists and can be read. Problems found later,
 * inside directories or files, are input errors of the run instead.
 */
export async function assertInputsReadable(inputs: string[]): Promise<void> {
  if (inputs.filter((input) => input === STDIN).length > 1) {
    throw new InputPathError(STDIN, 'Input "-" (stdin) is given more than once; stdin can be read only once, so name it once');
  }
  for (const input of inputs) {
    if (input === STDIN) continue;
    try {
      const stats = await stat(input);
      await access(input, stats.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    } catch (err) {
      throw new InputPathError(input, explainInputProblem(input, err));
    }
  }
}

function explainInputProblem(input: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return `Input "${input}" does not exist (looked for ${resolve(input)}); check the path, or pass - to read stdin`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `Input "${input}" cannot be read: permission denied; give this user read access (for example: chmod -R u+rX ${input})`;
  }
  return `Input "${input}" cannot be read (${err instanceof Error ? err.message : String(err)}); check the path and its permissions`;
}

/**
 * Every document of the inputs, in order, as a stream: JSONL files one record at a time, text and Markdown
 * files one document each, directories walked in sorted order, "-" from stdin. A record or file that
 * cannot become a document is yielded as an input error and the rest goes on.
 */
export async function* readSources(inputs: string[], opts: SourceOptions): AsyncGenerator<SourceItem> {
  const at = new ReadPosition(opts.position);
  let stopped = false;
  const sizing = opts.position ? await sizeInputs(inputs, opts.position, () => stopped) : undefined;
  let readToEnd = false;
  try {
    for (const input of inputs) {
      if (input === STDIN) {
        yield* readStdin(opts);
        continue;
      }
      let isDirectory: boolean;
      try {
        isDirectory = (await stat(input)).isDirectory();
      } catch (err) {
        yield unreadablePath(input, err);
        continue;
      }
      if (!isDirectory) {
        yield* readFile(input, formatOfNamedFile(input), opts, at);
        continue;
      }
      for await (const entry of walkDirectory(input)) {
        if (entry.kind === 'error') yield entry.item;
        else yield* readFileInDirectory(entry.path, entry.format, opts, at);
      }
    }
    readToEnd = true;
  } finally {
    // Reading stopped part way: the directories still being sized are of no more use.
    stopped = !readToEnd;
    await sizing?.walk;
  }
}

async function* readStdin(opts: SourceOptions): AsyncGenerator<SourceItem> {
  const stdin = opts.stdin ?? process.stdin;
  try {
    if (opts.stdinFormat === 'text') yield await readTextStream(stdin, STDIN);
    else yield* readJsonl(stdin, STDIN, opts);
  } catch (err) {
    if (!isIoError(err)) throw err;
    yield unreadablePath(STDIN, err);
  }
}

/** A file named on the command line: JSONL by extension, anything else one text document. */
function formatOfNamedFile(path: string): FileFormat {
  return JSONL_EXTENSIONS.includes(extname(path).toLowerCase()) ? 'jsonl' : 'text';
}

/** Files of unlisted kinds found in a directory are passed over, but a binary one is reported. */
async function* readFileInDirectory(path: string, format: FileFormat, opts: SourceOptions, at: ReadPosition): AsyncGenerator<SourceItem> {
  if (format !== 'unlisted') {
    yield* readFile(path, format, opts, at);
    return;
  }
  try {
    if (await fileLooksBinary(path)) yield binaryFileError(path);
  } catch (err) {
    yield unreadablePath(path, err);
  }
}

/**
 * While an item is being handled, the position is where that item begins, so that it agrees with the tasks
 * counted so far (the engine counts a document's tasks as it schedules them, after the document is read).
 */
async function* readFile(path: string, format: FileFormat, opts: SourceOptions, at: ReadPosition): AsyncGenerator<SourceItem> {
  let size = 0;
  if (format !== 'jsonl') {
    yield await readTextFile(path, (n) => (size = n));
    at.fileDone(size);
    return;
  }
  try {
    for await (const item of readJsonl(countBytes(createReadStream(path), (n) => (size += n)), path, opts)) {
      if (item.kind === 'doc') at.within(item.doc.origin.byteOffset);
      yield item;
    }
  } catch (err) {
    // Opening fails here (the stream opens lazily), as does a read error part way; records before it stand.
    if (!isIoError(err)) throw err;
    yield unreadablePath(path, err);
  }
  // Not reached when reading stops part way: the bytes read ahead of the records handled do not count.
  at.fileDone(size);
}

/** System errors carry an errno code ("EACCES", "EIO", …); anything else is a bug and must surface. */
function isIoError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}
