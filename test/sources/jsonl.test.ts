import { createHash } from 'node:crypto';
import { openSync, readFileSync, readSync, closeSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readSources, type SourceOptions } from '../../src/sources/read-sources.js';
import type { InputError, SourceDoc, SourceItem } from '../../src/types.js';
import { collect, scratchDir, summary } from './scratch-dir.js';

const scratch = scratchDir('jsonl');
afterAll(() => scratch.remove());

const FIELDS: SourceOptions = { textField: 'text', idField: 'id' };

const docs = (items: SourceItem[]): SourceDoc[] => items.flatMap((i) => (i.kind === 'doc' ? [i.doc] : []));
const errors = (items: SourceItem[]): InputError[] => items.flatMap((i) => (i.kind === 'error' ? [i.error] : []));

describe('JSONL records that cannot be documents', () => {
  const lines = [
    '{"id":"a","text":"Alpha is first."}', // 1
    '{"id":"b","text":"Bravo is cut', // 2 malformed
    '', // 3 blank: skipped silently
    '[1, 2, 3]', // 4 not an object
    '{"id":"c","body":"the text is under another name"}', // 5 missing
    '{"id":"d","text":null}', // 6 null counts as missing
    '{"id":"e","text":42}', // 7 not a string
    '{"id":"f","text":"  \\n\\t "}', // 8 empty
    '{"id":"g","text":"caf\u00e9 latin-1"}', // 9 invalid UTF-8 (rewritten below)
    '{"id":"h","text":"Hotel is last."}', // 10
    '{"id":{"x":1},"text":"An object is no id."}', // 11
    '{"id":12345678901234567890,"text":"Too big to keep exact."}', // 12
    '   ', // 13 whitespace only: skipped
  ];
  const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
  // Line 9: replace the UTF-8 "é" (c3 a9) with the Latin-1 byte e9, which is not valid UTF-8 on its own.
  const line9 = bytes.indexOf(Buffer.from('caf\u00e9', 'utf8'));
  const broken = Buffer.concat([bytes.subarray(0, line9 + 3), Buffer.from([0xe9]), bytes.subarray(line9 + 5)]);
  const path = scratch.write('records.jsonl', broken);

  it('reports each bad line with its code and line number, and keeps every good record around them', async () => {
    const items = await collect(readSources([path], FIELDS));
    expect(summary(items)).toEqual([
      'doc a',
      `error malformed_json ${path}:2`,
      `error not_an_object ${path}:4`,
      `error missing_text ${path}:5`,
      `error missing_text ${path}:6`,
      `error non_string_text ${path}:7`,
      `error empty_text ${path}:8`,
      `error invalid_utf8 ${path}:9`,
      'doc h',
      `error invalid_id ${path}:11`,
      `error invalid_id ${path}:12`,
    ]);
  });

  it('names the file, line and field in each message and says how to fix it', async () => {
    const byLine = new Map(errors(await collect(readSources([path], FIELDS))).map((e) => [e.line, e]));
    for (const e of byLine.values()) expect(e.message).toContain(`${path}:${e.line}`);
    expect(byLine.get(5)).toMatchObject({ field: 'text', message: expect.stringContaining('--text-field') });
    expect(byLine.get(5)?.message).toContain('"body"'); // the fields the record does have
    expect(byLine.get(6)).toMatchObject({ field: 'text', message: expect.stringContaining('is null') });
    expect(byLine.get(7)).toMatchObject({ field: 'text', message: expect.stringContaining('a number') });
    expect(byLine.get(8)).toMatchObject({ field: 'text', message: expect.stringContaining('empty') });
    expect(byLine.get(9)?.message).toMatch(/UTF-8.*iconv/);
    expect(byLine.get(2)?.message).toMatch(/not valid JSON/);
    expect(byLine.get(4)?.message).toMatch(/an array/);
    expect(byLine.get(11)).toMatchObject({ field: 'id', message: expect.stringContaining('--id-field') });
    expect(byLine.get(2)?.field).toBeUndefined();
  });
});

describe('JSONL documents', () => {
  it('points each byte offset at the first byte of its line, past multi-byte text and CRLF endings', async () => {
    const records = [
      { id: 'one', text: 'Ünïcödé takes more bytes than characters ✓ 😀' },
      { id: 'two', text: 'Second.' },
      { id: 'three', text: 'Third, after a blank line.' },
    ];
    const content = `${JSON.stringify(records[0])}\r\n${JSON.stringify(records[1])}\r\n\r\n${JSON.stringify(records[2])}`;
    const path = scratch.write('offsets.jsonl', content);
    const found = docs(await collect(readSources([path], FIELDS)));
    expect(found.map((d) => d.origin.line)).toEqual([1, 2, 4]);
    const file = readFileSync(path);
    for (const doc of found) {
      const lineEnd = file.indexOf('\r\n', doc.origin.byteOffset);
      const line = file.subarray(doc.origin.byteOffset, lineEnd === -1 ? file.length : lineEnd).toString('utf8');
      expect(JSON.parse(line)).toEqual(records.find((r) => r.id === doc.id));
    }
    expect(found[2]?.origin.byteOffset).toBe(Buffer.byteLength(`${JSON.stringify(records[0])}\r\n${JSON.stringify(records[1])}\r\n\r\n`));
  });

  it('strips a UTF-8 BOM and counts its three bytes in the offsets', async () => {
    const path = scratch.write('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"x","text":"Hi."}\n{"id":"y","text":"Yo."}\n')]));
    const found = docs(await collect(readSources([path], FIELDS)));
    expect(found.map((d) => [d.id, d.origin.byteOffset])).toEqual([
      ['x', 3],
      ['y', 3 + '{"id":"x","text":"Hi."}\n'.length],
    ]);
    expect(readFileSync(path).subarray(3, 4).toString()).toBe('{');
  });

  it('derives a missing id from path and line, turns a numeric id into a string, and keeps the other fields as meta', async () => {
    const path = scratch.write(
      'ids.jsonl',
      ['{"text":"No id.","lang":"en"}', '{"id":7,"text":"Numeric id.","url":"https://example.org","tags":["a"]}', '{"id":null,"text":"Null id."}'].join('\n'),
    );
    const found = docs(await collect(readSources([path], FIELDS)));
    expect(found.map((d) => d.id)).toEqual([`${path}:1`, '7', `${path}:3`]);
    expect(found[0]?.meta).toEqual({ lang: 'en' });
    expect(found[1]?.meta).toEqual({ url: 'https://example.org', tags: ['a'] });
    expect(found[1]?.origin).toEqual({ path, line: 2, byteOffset: Buffer.byteLength('{"text":"No id.","lang":"en"}\n') });
    expect(found[1]?.sha256).toBe(createHash('sha256').update('Numeric id.', 'utf8').digest('hex'));
  });

  it('reads the text and id from the fields the options name', async () => {
    const path = scratch.write('custom.jsonl', '{"doc_id":"p1","content":"The content.","text":"not this one"}\n');
    const [doc] = docs(await collect(readSources([path], { textField: 'content', idField: 'doc_id' })));
    expect(doc).toMatchObject({ id: 'p1', text: 'The content.', meta: { text: 'not this one' } });
  });

  it('reads files named .ndjson and .json as JSON Lines', async () => {
    const a = scratch.write('a.ndjson', '{"id":"n","text":"From ndjson."}\n');
    const b = scratch.write('b.json', '{"id":"j","text":"From json."}\n');
    expect(summary(await collect(readSources([a, b], FIELDS)))).toEqual(['doc n', 'doc j']);
  });

  it('yields a 20 MB single-line document once, whole', async () => {
    const path = `${scratch.root}/big.jsonl`;
    const sentence = 'The quick brown fox — naïve café — jumps over the lazy dog. ';
    const text = sentence.repeat(Math.ceil(20_000_000 / sentence.length));
    const fd = openSync(path, 'w');
    writeSync(fd, '{"id":"small-before","text":"Before."}\n');
    writeSync(fd, JSON.stringify({ id: 'big', text }));
    writeSync(fd, '\n{"id":"small-after","text":"After."}');
    closeSync(fd);

    const found = docs(await collect(readSources([path], FIELDS)));
    expect(found.map((d) => d.id)).toEqual(['small-before', 'big', 'small-after']);
    const big = found[1];
    expect(big?.text.length).toBe(text.length);
    expect(big?.sha256).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    const head = Buffer.alloc(10);
    const fdRead = openSync(path, 'r');
    readSync(fdRead, head, 0, 10, big?.origin.byteOffset ?? -1);
    closeSync(fdRead);
    expect(head.toString()).toBe('{"id":"big');
  });
});
