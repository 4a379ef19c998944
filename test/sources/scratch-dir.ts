import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SourceItem } from '../../src/types.js';

/** A temporary directory for one test file; `write` creates parents as needed. */
export function scratchDir(prefix: string): { root: string; write(rel: string, content: string | Buffer): string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), `reword-${prefix}-`));
  return {
    root,
    write(rel, content) {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A compact view of a stream of items: "doc <id>" or "error <code> <path>[:line]". */
export function summary(items: SourceItem[]): string[] {
  return items.map((item) =>
    item.kind === 'doc'
      ? `doc ${item.doc.id}`
      : `error ${item.error.code} ${item.error.path}${item.error.line === undefined ? '' : `:${item.error.line}`}`,
  );
}
