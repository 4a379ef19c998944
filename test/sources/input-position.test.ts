import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputPosition } from '../../src/sources/input-position.js';
import { readSources, type SourceOptions } from '../../src/sources/read-sources.js';
import { scratchDir } from './scratch-dir.js';

const scratch = scratchDir('position');
afterAll(() => scratch.remove());

const FIELDS: SourceOptions = { textField: 'text', idField: 'id' };
const line = (id: string, text: string): string => `${JSON.stringify({ id, text })}\n`;

/** Each item's id (or error code) with the position as it stood while the item was handled, and the position at the end. */
async function readWithPosition(inputs: string[], opts: SourceOptions = FIELDS) {
  const position: InputPosition = {};
  const seen: { item: string; read?: number; total?: number }[] = [];
  for await (const item of readSources(inputs, { ...opts, position })) {
    seen.push({ item: item.kind === 'doc' ? item.doc.id : item.error.code, read: position.inputBytesRead, total: position.inputBytesTotal });
  }
  return { seen, end: { ...position } };
}

describe('input position (bytes read / bytes in all)', () => {
  it('named files: the total is known from the first document, and each document is placed where it starts', async () => {
    const a = scratch.write('named/a.jsonl', line('a1', 'First.') + '\n' + line('a2', 'Second.') + 'not json\n' + line('a3', 'Third.'));
    const b = scratch.write('named/b.md', '# B\n\nBody.\n');
    const sizeA = statSync(a).size;
    const total = sizeA + statSync(b).size;
    const { seen, end } = await readWithPosition([a, b]);
    const a2 = line('a1', 'First.').length + 1;
    const a3 = a2 + line('a2', 'Second.').length + 'not json\n'.length;
    expect(seen).toEqual([
      { item: 'a1', read: 0, total },
      { item: 'a2', read: a2, total },
      { item: 'malformed_json', read: a2, total },
      { item: 'a3', read: a3, total },
      { item: b, read: sizeA, total },
    ]);
    expect(end).toEqual({ inputBytesRead: total, inputBytesTotal: total });
  });

  it('a directory: sized by a walk beside the reading, counting only the files that are read', async () => {
    const dir = join(scratch.root, 'corpus');
    const read = [
      scratch.write('corpus/a.jsonl', line('a1', 'One.') + line('a2', 'Two.')),
      scratch.write('corpus/b.txt', 'Bee.'),
      scratch.write('corpus/sub/c.md', 'Sea, in a sub-directory.'),
      scratch.write('corpus/sub/d.ndjson', line('d1', 'Deep.')),
    ];
    scratch.write('corpus/.hidden.txt', 'Hidden files are not read.');
    scratch.write('corpus/notes.csv', 'a,b\n1,2\n');
    scratch.write('corpus/data.json', '{"not": "json lines"}');
    const total = read.reduce((n, path) => n + statSync(path).size, 0);
    const { seen, end } = await readWithPosition([dir]);
    expect(seen.map((s) => s.item)).toEqual(['a1', 'a2', read[1], read[2], 'd1']);
    // Positions only move forward.
    const positions = seen.map((s) => s.read ?? -1);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(end).toEqual({ inputBytesRead: total, inputBytesTotal: total });
  });

  it('stdin has no size: no total, alone or beside a file', async () => {
    const file = scratch.write('beside-stdin.jsonl', line('f1', 'File.'));
    const stdin = () => Readable.from([Buffer.from(line('s1', 'Piped.'))]);
    expect((await readWithPosition(['-'], { ...FIELDS, stdin: stdin() })).end.inputBytesTotal).toBeUndefined();
    const mixed = await readWithPosition([file, '-'], { ...FIELDS, stdin: stdin() });
    expect(mixed.seen.map((s) => s.item)).toEqual(['f1', 's1']);
    expect(mixed.seen.every((s) => s.total === undefined)).toBe(true);
  });

  it.skipIf(!existsSync('/dev/null'))('a named input that is not a regular file (a pipe, a device) has no size: no total', async () => {
    const file = scratch.write('beside-device.txt', 'Text.');
    const { seen, end } = await readWithPosition([file, '/dev/null']);
    expect(seen.map((s) => s.item)).toEqual([file, 'empty_text']);
    expect(end.inputBytesTotal).toBeUndefined();
  });

  it('stopping part way ends the sizing walk, and the position stays at the record being handled', async () => {
    for (let i = 0; i < 200; i++) scratch.write(`many/f${String(i).padStart(3, '0')}.txt`, `Document ${i}.`);
    const position: InputPosition = {};
    let count = 0;
    for await (const _item of readSources([join(scratch.root, 'many')], { ...FIELDS, position })) {
      if (++count === 3) break;
    }
    expect(count).toBe(3);
    expect(position.inputBytesRead).toBe('Document 0.'.length + 'Document 1.'.length);
  });

  it('stopping part way through a JSONL file does not count the bytes read ahead of the records', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => line(`r${i}`, `Record number ${i}.`));
    const path = scratch.write('big.jsonl', records.join(''));
    const position: InputPosition = {};
    let count = 0;
    for await (const _item of readSources([path], { ...FIELDS, position })) {
      if (++count === 2) break;
    }
    expect(position).toEqual({ inputBytesRead: records[0]!.length, inputBytesTotal: statSync(path).size });
  });

  it('without a position to keep, reading is as before', async () => {
    const path = scratch.write('plain.jsonl', line('p1', 'Plain.'));
    const items: string[] = [];
    for await (const item of readSources([path], FIELDS)) items.push(item.kind === 'doc' ? item.doc.id : item.error.code);
    expect(items).toEqual(['p1']);
  });
});
