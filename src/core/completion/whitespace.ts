// Trailing whitespace is never worth showing (ghost text of spaces only confuses), and a
// suggestion with nothing visible is no suggestion.

export function trimTrailingWhitespace(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

export function dropEmpty(text: string): string {
  return text.trim() === "" ? "" : text;
}
