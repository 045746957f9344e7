/**
 * UTF-8 helpers for the encoder's hot path: writing into a reused buffer avoids allocating a
 * Uint8Array per pre-token, which TextEncoder.encode would do.
 */

/**
 * Writes the UTF-8 bytes of `s` into `out` (which must hold 3 * s.length bytes) and returns the
 * count. A lone surrogate becomes U+FFFD, as TextEncoder does: such a string has no UTF-8 form,
 * so it is the one input that cannot round-trip.
 */
export function utf8Into(s: string, out: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 0x3f);
          out[n++] = 0x80 | ((c >> 6) & 0x3f);
          out[n++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

const encoder = new TextEncoder();
// ignoreBOM: true keeps a leading U+FEFF in the text; the default would swallow it and break
// decode(encode(x)) === x for files that start with a byte order mark.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Invalid sequences (ids cut inside a character) become U+FFFD, as Hugging Face's decode does. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
