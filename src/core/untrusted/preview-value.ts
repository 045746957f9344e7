// A short, JSON-like rendering of a value from an untrusted file or message, for error messages.
// JSON.stringify is not safe there: JSON.parse reads 100,000 nested arrays happily, and
// stringifying them back overflows the stack (a RangeError instead of our error); a 50 MB string
// would become a 50 MB message; a BigInt makes it throw a TypeError.

const MAX_ITEMS = 4;
const MAX_DEPTH = 3;
const MAX_STRING = 40;

/** At most about `max` characters; compact like JSON.stringify ("[4,0]", {"a":1}) for short values. */
export function previewValue(value: unknown, max = 80): string {
  let text: string;
  try {
    text = render(value, MAX_DEPTH);
  } catch {
    text = "(a value that cannot be shown)"; // a getter that throws, a revoked proxy
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A name from a file (a tensor's, a key's), quoted and cut to `max` characters. */
export function previewName(name: string, max = MAX_STRING * 2): string {
  return JSON.stringify(name.length > max ? `${name.slice(0, max)}…` : name);
}

function render(v: unknown, depth: number): string {
  switch (typeof v) {
    case "string":
      return previewName(v, MAX_STRING);
    case "bigint":
      return `${v}n`;
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return v.toString();
    case "number":
    case "boolean":
      return String(v);
  }
  if (v === null) return "null";
  if (Array.isArray(v)) {
    if (depth === 0) return v.length ? "[…]" : "[]";
    const items = v.slice(0, MAX_ITEMS).map((x: unknown) => render(x, depth - 1));
    if (v.length > MAX_ITEMS) items.push(`…${v.length - MAX_ITEMS} more`);
    return `[${items.join(",")}]`;
  }
  const keys = Object.keys(v as object);
  if (depth === 0) return keys.length ? "{…}" : "{}";
  const items = keys.slice(0, MAX_ITEMS).map((k) => `${previewName(k, MAX_STRING)}:${render((v as Record<string, unknown>)[k], depth - 1)}`);
  if (keys.length > MAX_ITEMS) items.push(`…${keys.length - MAX_ITEMS} more`);
  return `{${items.join(",")}}`;
}
