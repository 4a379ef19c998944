// Splits a byte stream into lines while keeping each line's byte offset, which readline cannot do (it
// decodes first, and a character count is not a byte offset). A line split across reads is kept as a list
// of pieces and joined once at its newline, so a 20 MB line costs one copy, not a quadratic series of them.

export interface RawLine {
  /** The line's bytes without "\n" or "\r\n". A view into the read buffer: decode it before the next line. */
  bytes: Buffer;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte in the stream (after a leading UTF-8 BOM, which is skipped). */
  byteOffset: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function withoutCarriageReturn(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.subarray(0, -1) : bytes;
}

/** Lines of a byte stream, in order; the last line may lack a newline. Blank lines are yielded too. */
export async function* readLines(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RawLine> {
  let pieces: Buffer[] = [];
  let lineNumber = 0;
  let lineStart = 0;
  /** Offset in the stream of the first byte of the buffer being scanned. */
  let bufferStart = 0;
  // The first bytes are held until there are three of them, so a BOM split across reads is still seen.
  let head: Buffer | null = Buffer.alloc(0);

  function* completeLines(buffer: Buffer): Generator<RawLine> {
    let pos = 0;
    for (let newline = buffer.indexOf(NEWLINE, pos); newline !== -1; newline = buffer.indexOf(NEWLINE, pos)) {
      const tail = buffer.subarray(pos, newline);
      const bytes = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
      pieces = [];
      yield { bytes: withoutCarriageReturn(bytes), line: ++lineNumber, byteOffset: lineStart };
      pos = newline + 1;
      lineStart = bufferStart + pos;
    }
    if (pos < buffer.length) pieces.push(buffer.subarray(pos));
    bufferStart += buffer.length;
  }

  for await (const chunk of source) {
    let buffer = toBuffer(chunk);
    if (head !== null) {
      head = Buffer.concat([head, buffer]);
      if (head.length < UTF8_BOM.length) continue;
      buffer = head;
      head = null;
      if (buffer.subarray(0, UTF8_BOM.length).equals(UTF8_BOM)) {
        buffer = buffer.subarray(UTF8_BOM.length);
        bufferStart = lineStart = UTF8_BOM.length;
      }
    }
    yield* completeLines(buffer);
  }
  // A stream shorter than a BOM never left `head`.
  if (head !== null) yield* completeLines(head);

  if (pieces.length > 0) {
    const bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    yield { bytes: withoutCarriageReturn(bytes), line: ++lineNumber, byteOffset: lineStart };
  }
}
