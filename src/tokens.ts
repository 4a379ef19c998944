import { get_encoding, type Tiktoken } from 'tiktoken';
import { forEachPiece, WHITE_SPACE_CLASS as WS } from './token-pieces.js';

// One cl100k_base encoder for the whole process: building it parses a ~1.7 MB rank table inside the WASM
// module, so it is made on first use and then kept (never freed; it lives as long as the process).
let encoder: Tiktoken | undefined;

function sharedEncoder(): Tiktoken {
  encoder ??= get_encoding('cl100k_base');
  return encoder;
}

// tiktoken splits text with this pattern and byte-pair-encodes each piece on its own, so a text's count is the
// sum of its pieces' counts. Encoding is the costliest thing reword does per document (about 1 MB/s in the WASM
// build), while a corpus repeats the same few ten thousand pieces (" the", " of", "ing"…): counting each piece
// once and remembering it makes counting several times faster. The pattern is cl100k_base's own, with `\s`
// spelled out as Unicode White_Space (what the Rust regex means by it; JavaScript's `\s` adds U+FEFF and lacks
// U+0085) and `(?i:…)` expanded (JavaScript has no inline flags; Unicode case folding adds ſ to s).
export const CL100K_PIECES = new RegExp(
  [
    "'(?:[sSſ]|[tT]|[mM]|[dD]|[rR][eE]|[vV][eE]|[lL][lL])",
    '[^\\r\\n\\p{L}\\p{N}]?\\p{L}+',
    '\\p{N}{1,3}',
    ` ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*`,
    `[${WS}]*[\\r\\n]+`,
    `[${WS}]+(?![^${WS}])`,
    `[${WS}]+`,
  ].join('|'),
  'gu',
);

/** Pieces longer than this are counted without being remembered: they rarely recur, and memory stays bounded. */
const MAX_CACHED_PIECE_LENGTH = 32;
/** Distinct pieces remembered; when full the memory starts over (a corpus's common pieces come back at once). */
const MAX_CACHED_PIECES = 100_000;
const pieceTokens = new Map<string, number>();

function countPiece(piece: string): number {
  let tokens = pieceTokens.get(piece);
  if (tokens !== undefined) return tokens;
  tokens = sharedEncoder().encode_ordinary(piece).length;
  if (piece.length <= MAX_CACHED_PIECE_LENGTH) {
    if (pieceTokens.size >= MAX_CACHED_PIECES) pieceTokens.clear();
    pieceTokens.set(piece, tokens);
  }
  return tokens;
}

/**
 * Number of cl100k_base tokens in `text`.
 *
 * Special-token text such as `<|endoftext|>` is counted as ordinary text: corpora contain it, and tiktoken's
 * default would throw on it.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  let counted = 0;
  if (forEachPiece(text, (start, end) => void (counted += countPiece(text.slice(start, end))))) return counted;
  // A text with astral characters: the pattern itself splits it.
  // Synchronous from here to the return, so the one global regex (and its lastIndex) cannot be shared mid-scan.
  CL100K_PIECES.lastIndex = 0;
  let tokens = 0;
  for (let match = CL100K_PIECES.exec(text); match !== null; match = CL100K_PIECES.exec(text)) tokens += countPiece(match[0]);
  return tokens;
}
