// A random-looking value in any string literal or any bare assignment, whatever its name:
// `const s = "q7Hf...Zp2"`, `spring.datasource.x=Kq3...`. Names are no guide here, so the value
// alone must prove it: long, of a key's alphabet, mixing upper case, lower case and digits,
// and as high in entropy as random text of its length is. Hashes (hex), UUIDs, integrity
// strings, data URIs, paths and identifiers are let through: they look random only by shape.
import { shannonEntropy } from "./entropy";
import { isPlaceholder } from "./placeholders";

const MIN_LENGTH = 24;
const MAX_LENGTH = 200;
/** A quoted literal of a key's alphabet (base64, base64url, the separators tokens use); its quotes may be escaped, as in a notebook's JSON. */
const QUOTED = /(\\?)(["'`])([A-Za-z0-9+/=_\-.~]{24,200})\1\2/g;
/** KEY = value, KEY: value, export KEY=value, with the value the rest of the line. */
const BARE = /^[ \t]*(?:export[ \t]+)?[\w.-]+[ \t]*[:=][ \t]*([A-Za-z0-9+/=_\-.~]{24,200})[ \t]*(?:#.*)?$/gm;

const HEX = /^[0-9a-fA-F]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const INTEGRITY = /^(?:sha(?:1|256|384|512)|md5)[-_]/i;
/** Words joined by separators or case changes: names, paths, versions, not keys. */
const WORDY = /^(?:[A-Za-z]+[0-9]{0,4}(?:[-_./~][A-Za-z]+[0-9]{0,4})*|(?:[A-Z]?[a-z]+[0-9]{0,2})+)$/;

/** What random text of this length over a base64-sized alphabet reaches, less a margin. */
function entropyFloor(length: number): number {
  return Math.min(4.3, 0.86 * Math.log2(length));
}

/** Base64 that decodes to readable text (a banner, a fixture): random bytes never do. */
function isBase64OfText(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.replace(/=+$/, "").length % 4 === 1) return false;
  const bytes = Buffer.from(value, "base64"); // padding may be left off: Node reads it either way
  let readable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09) readable++;
  return readable >= 0.95 * bytes.length;
}

export function isRandomLiteral(value: string): boolean {
  // Cheapest tests first: most candidates in code are names and paths, rejected here.
  if (value.length < MIN_LENGTH || value.length > MAX_LENGTH) return false;
  if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/[0-9]/.test(value)) return false;
  // A long identifier with a digit at its end (ThisIsAVeryLongName1) reaches a short key's
  // entropy; random text of a key's alphabet has a digit every six characters or so.
  if (value.length < 32 && (value.match(/[0-9]/g) ?? []).length < 2) return false;
  // Paths, repo ids and snake_case names: their separators come every few characters, a key's rarely.
  if ((value.match(/[-_/.]/g) ?? []).length > value.length / 8) return false;
  // Made of words: half the characters in runs of three or more lower-case letters (about 1 in
  // 200 random strings of this alphabet is).
  const inWords = (value.match(/[a-z]{3,}/g) ?? []).reduce((n, w) => n + w.length, 0);
  if (inWords >= value.length / 2) return false;
  // An alphabet or a run (abc...xyz, 0123...): consecutive characters one code apart.
  let steps = 0;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) === value.charCodeAt(i - 1) + 1) steps++;
  if (steps > value.length / 3) return false;
  if (HEX.test(value) || UUID.test(value) || INTEGRITY.test(value) || WORDY.test(value)) return false;
  if (shannonEntropy(value) < entropyFloor(value.length)) return false;
  return !isPlaceholder(value) && !isBase64OfText(value);
}

/** Offset of the first random-looking literal; bare assignments judged only where they are literals. */
export function findHighEntropyLiteral(text: string, bare: boolean): number | null {
  QUOTED.lastIndex = 0;
  for (let m = QUOTED.exec(text); m !== null; m = QUOTED.exec(text)) {
    if (isRandomLiteral(m[3]!)) return m.index + m[1]!.length + 1;
    QUOTED.lastIndex = m.index + m[0].length - 1; // the closing quote may open the next literal
  }
  if (!bare) return null;
  BARE.lastIndex = 0;
  for (let m = BARE.exec(text); m !== null; m = BARE.exec(text)) {
    if (isRandomLiteral(m[1]!)) return m.index + m[0].indexOf(m[1]!);
  }
  return null;
}
