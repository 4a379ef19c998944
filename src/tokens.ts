import { get_encoding, type Tiktoken } from 'tiktoken';

// One cl100k_base encoder for the whole process: building it parses a ~1.7 MB rank table inside the WASM
// module, so it is made on first use and then kept (never freed; it lives as long as the process).
let encoder: Tiktoken | undefined;

function sharedEncoder(): Tiktoken {
  encoder ??= get_encoding('cl100k_base');
  return encoder;
}

/**
 * Number of cl100k_base tokens in `text`.
 *
 * Special-token text such as `<|endoftext|>` is counted as ordinary text: corpora contain it, and tiktoken's
 * default would throw on it.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return sharedEncoder().encode(text, [], []).length;
}
