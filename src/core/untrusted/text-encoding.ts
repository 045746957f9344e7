// What a file that should be UTF-8 text is instead, in words a user can act on: the offset of
// its first byte that is not UTF-8, or the UTF-16 it is in (Windows editors and PowerShell's
// `>` write UTF-16 with a byte order mark).
import { isUtf8 } from "node:buffer";

export type Utf16Kind = "UTF-16LE" | "UTF-16BE";

/** The UTF-16 a byte order mark announces, or null. */
export function utf16Bom(bytes: Uint8Array): Utf16Kind | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return "UTF-16LE";
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return "UTF-16BE";
  return null;
}

/**
 * UTF-16 without a byte order mark, told by its NUL bytes: ASCII text in UTF-16 has one in every
 * other byte, always at even offsets (big-endian) or always at odd ones (little-endian).
 */
export function looksLikeUtf16(bytes: Uint8Array): Utf16Kind | null {
  const bom = utf16Bom(bytes);
  if (bom) return bom;
  const n = Math.min(bytes.length, 4096) & ~1;
  const pairs = n / 2;
  // Too few bytes to tell text from a binary header that happens to have NULs in a row.
  if (pairs < 8) return null;
  const lane = (start: number) => {
    let nul = 0;
    let text = 0;
    for (let i = start; i < n; i += 2) {
      const b = bytes[i]!;
      if (b === 0) nul++;
      else if ((b >= 0x20 && b < 0x7f) || (b >= 0x09 && b <= 0x0d)) text++;
    }
    return { nul, text };
  };
  const even = lane(0);
  const odd = lane(1);
  // ASCII (and Latin-1) text in UTF-16: one lane nearly all NUL, the other nearly all characters.
  if (odd.nul >= pairs * 0.9 && even.text >= pairs * 0.8) return "UTF-16LE";
  if (even.nul >= pairs * 0.9 && odd.text >= pairs * 0.8) return "UTF-16BE";
  return null;
}

/** The offset of the first byte that is not part of valid UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  // Decoding replaces each bad sequence with U+FFFD and keeps every byte before it as is, so the
  // first U+FFFD that the bytes do not spell out themselves (EF BF BD) is the first bad byte.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const text = buffer.toString("utf8");
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf("\ufffd"); i !== -1; i = text.indexOf("\ufffd", i + 1)) {
    offset += Buffer.byteLength(text.slice(from, i), "utf8");
    from = i;
    if (!(buffer[offset] === 0xef && buffer[offset + 1] === 0xbf && buffer[offset + 2] === 0xbd)) return offset;
  }
  return buffer.length; // not reached: isUtf8 said something is wrong
}
