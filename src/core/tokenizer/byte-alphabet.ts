/**
 * GPT-2's byte alphabet: every byte 0..255 maps to one printable Unicode character, so a
 * byte-level BPE vocabulary can be stored as JSON strings (tokenizer.json) and a space reads as
 * "Ġ", a newline as "Ċ". Printable Latin-1 bytes map to themselves; the other 68 bytes (controls,
 * space, 0x7F-0xA0, soft hyphen) map to U+0100 upwards in byte order. This is the table of
 * OpenAI's `bytes_to_unicode`, which Qwen2, llama.cpp and Hugging Face all share: any other
 * mapping would make our tokenizer.json unreadable by them.
 */

function buildByteToChar(): string[] {
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return out;
}

/** BYTE_TO_CHAR[b] is the alphabet character of byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Code point of an alphabet character -> its byte. Only the 256 alphabet characters are present. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/**
 * The 256 bytes in the order GPT-2 and Qwen2 give them ids 0..255: ordered by their alphabet
 * character's code point (printable bytes first, then the remapped ones). Hugging Face's trainer
 * sorts its initial alphabet the same way, so a trained vocabulary lines up with theirs.
 */
export const BYTES_IN_ID_ORDER: readonly number[] = Array.from({ length: 256 }, (_, b) => b).sort(
  (x, y) => BYTE_TO_CHAR[x]!.charCodeAt(0) - BYTE_TO_CHAR[y]!.charCodeAt(0),
);

/** Bytes -> alphabet string (the form tokens have in tokenizer.json). */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]!]!;
  return s;
}

/** Alphabet string -> bytes, or undefined when a character is outside the alphabet. */
export function symbolsToBytes(symbols: string): Uint8Array | undefined {
  const out = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const b = CHAR_TO_BYTE.get(symbols.charCodeAt(i));
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}
