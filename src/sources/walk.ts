import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { SourceItem } from '../types.js';
import { unreadablePath } from './input-errors.js';
import { TEXT_EXTENSIONS } from './text-files.js';

/** How a file's contents are read: JSONL records, one text document, or (unlisted) not at all. */
export type FileFormat = 'jsonl' | 'text' | 'unlisted';

export type WalkEntry = { kind: 'file'; path: string; format: FileFormat } | { kind: 'error'; item: SourceItem };

/** Lists a directory; the walker takes it as a parameter so a test can make one listing fail. */
export type ListDirectory = (dir: string) => Promise<Dirent[]>;

const listDirectory: ListDirectory = (dir) => readdir(dir, { withFileTypes: true });

const JSONL_IN_DIRECTORY = ['.jsonl', '.ndjson'];

/** Format of a file found while walking a directory (`.json` there is usually not JSON Lines, so it is not read). */
export function formatInDirectory(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (JSONL_IN_DIRECTORY.includes(ext)) return 'jsonl';
  return TEXT_EXTENSIONS.includes(ext) ? 'text' : 'unlisted';
}

/**
 * Files under `root`, depth first in code-unit order of names (so every run sees the same order), skipping
 * hidden entries and anything that is not a regular file or directory (a FIFO would block the read).
 * A directory or link that cannot be read becomes an `unreadable_path` entry and the walk goes on.
 * Directories reached twice through symbolic links are walked once.
 */
export async function* walkDirectory(root: string, list: ListDirectory = listDirectory): AsyncGenerator<WalkEntry> {
  const seen = new Set<string>();
  let rootStats;
  try {
    rootStats = await stat(root);
  } catch (err) {
    yield { kind: 'error', item: unreadablePath(root, err) };
    return;
  }
  seen.add(`${rootStats.dev}:${rootStats.ino}`);
  yield* walk(root, list, seen);
}

async function* walk(dir: string, list: ListDirectory, seen: Set<string>): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = await list(dir);
  } catch (err) {
    yield { kind: 'error', item: unreadablePath(dir, err) };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    let identity: string | undefined;
    if (entry.isSymbolicLink() || isDirectory) {
      try {
        const target = await stat(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
        identity = `${target.dev}:${target.ino}`;
      } catch (err) {
        yield { kind: 'error', item: unreadablePath(path, err) };
        continue;
      }
    }
    if (isDirectory && identity !== undefined) {
      if (seen.has(identity)) continue;
      seen.add(identity);
      yield* walk(path, list, seen);
    } else if (isFile) {
      yield { kind: 'file', path, format: formatInDirectory(path) };
    }
  }
}
