// Shannon entropy of a string, in bits per character. Random keys sit near log2 of their
// alphabet (about 4 for hex, 5 and more for base64 of some length); words, identifiers and
// placeholders sit lower. It is what tells `token = "9fQ2..."` from `token = "authorization"`.

export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of: lower case, upper case, digits, other symbols the text mixes. */
export function characterClasses(text: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Looks like a randomly generated secret rather than a word, a name or a placeholder. */
export function looksRandom(value: string, minLength: number, minEntropy: number): boolean {
  return value.length >= minLength && shannonEntropy(value) >= minEntropy && characterClasses(value) >= 2;
}
