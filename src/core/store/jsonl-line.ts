// One line of JSON Lines, parsed. A writer killed in the middle of an append leaves a fragment
// without its newline; when the next append follows it within moments (the resumed worker, the
// other window), JsonlAppender does not start a new line, because it cannot tell that fragment
// from a line another process is writing at that instant (see jsonl-appender.ts). The record
// then shares the fragment's line; it is whole, and it is kept.

export interface ParsedJsonLine<T> {
  value: T;
  /** 0 for a line that is one record; else the length of the fragment of an interrupted append the line began with. */
  fragmentLength: number;
}

/** Candidates looked at in a line that does not parse whole: bounds the work on a corrupt line. */
const MAX_RECORD_STARTS = 256;

/** The record a line holds, or undefined when it holds none (corrupt, or a fragment alone). */
export function parseJsonLine<T>(text: string): ParsedJsonLine<T> | undefined {
  const whole = tryParse<T>(text);
  if (whole) return { value: whole.value, fragmentLength: 0 };
  return recordAfterFragment<T>(text);
}

/**
 * The whole record at the end of a line that begins with a fragment. A record JsonlAppender
 * writes is an object, and in its text `{"` only ever opens an object (a quote inside a string
 * is escaped). The suffix from the glued record's own `{"` is the only one that parses: one that
 * starts inside the fragment runs into the record where a value cannot follow, and one that
 * starts at an object nested in the record is followed by the record's closing brace. So the
 * shortest suffix that parses, searched from the right, is the record; nested objects fail
 * fast at their end, and the fragment is never scanned.
 */
function recordAfterFragment<T>(text: string): ParsedJsonLine<T> | undefined {
  let at = text.length;
  for (let tries = 0; tries < MAX_RECORD_STARTS; tries++) {
    at = text.lastIndexOf('{"', at - 1);
    if (at <= 0) return undefined;
    const parsed = tryParse<T>(text.slice(at));
    if (parsed && typeof parsed.value === "object" && parsed.value !== null && !Array.isArray(parsed.value)) {
      return { value: parsed.value, fragmentLength: at };
    }
  }
  return undefined;
}

function tryParse<T>(text: string): { value: T } | undefined {
  try {
    return { value: JSON.parse(text) as T };
  } catch {
    return undefined;
  }
}
