import { describe, expect, it } from 'vitest';
import { readLines, type RawLine } from '../../src/sources/line-reader.js';
import { collect } from './scratch-dir.js';

async function* inPieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function view(lines: RawLine[]): Array<{ text: string; line: number; byteOffset: number }> {
  return lines.map((l) => ({ text: l.bytes.toString('utf8'), line: l.line, byteOffset: l.byteOffset }));
}

// Multi-byte characters make byte offsets differ from character offsets, CRLF and a missing final newline
// are what real files have.
const SAMPLE = Buffer.from('héllo wörld\r\n\r\nnaïve ✓ 😀\nlast line without newline', 'utf8');

describe('readLines', () => {
  it('gives each line its 1-based number and the byte offset where it starts, without CR or LF', async () => {
    const lines = view(await collect(readLines(inPieces(SAMPLE, SAMPLE.length))));
    expect(lines.map((l) => l.text)).toEqual(['héllo wörld', '', 'naïve ✓ 😀', 'last line without newline']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    for (const l of lines) {
      expect(SAMPLE.subarray(l.byteOffset, l.byteOffset + Buffer.byteLength(l.text)).toString('utf8')).toBe(l.text);
    }
    expect(lines[2]?.byteOffset).toBe(Buffer.byteLength('héllo wörld\r\n\r\n'));
  });

  it('gives the same lines and offsets however the stream is cut into reads', async () => {
    const whole = view(await collect(readLines(inPieces(SAMPLE, SAMPLE.length))));
    for (const size of [1, 2, 3, 5, 7, 64]) {
      expect(view(await collect(readLines(inPieces(SAMPLE, size))))).toEqual(whole);
    }
  });

  it('skips a UTF-8 BOM even when it arrives split across reads, and counts its bytes in later offsets', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"b":2}\n')]);
    for (const size of [1, 2, withBom.length]) {
      const lines = view(await collect(readLines(inPieces(withBom, size))));
      expect(lines).toEqual([
        { text: '{"a":1}', line: 1, byteOffset: 3 },
        { text: '{"b":2}', line: 2, byteOffset: 11 },
      ]);
    }
  });

  it('splits a stream shorter than a BOM into lines too', async () => {
    expect(view(await collect(readLines(inPieces(Buffer.from('a\n'), 1))))).toEqual([{ text: 'a', line: 1, byteOffset: 0 }]);
    expect(await collect(readLines(inPieces(Buffer.alloc(0), 1)))).toEqual([]);
  });

  it('joins a line spread over many reads into one line', async () => {
    const long = 'x'.repeat(300_000);
    const bytes = Buffer.from(`${long}\nshort\n`);
    const lines = view(await collect(readLines(inPieces(bytes, 1_000))));
    expect(lines.map((l) => l.text.length)).toEqual([300_000, 5]);
    expect(lines[1]?.byteOffset).toBe(300_001);
  });

  it('accepts string reads (a stream with an encoding set)', async () => {
    async function* strings(): AsyncGenerator<string> {
      yield 'é\n';
      yield 'b';
    }
    expect(view(await collect(readLines(strings())))).toEqual([
      { text: 'é', line: 1, byteOffset: 0 },
      { text: 'b', line: 2, byteOffset: 3 },
    ]);
  });
});
