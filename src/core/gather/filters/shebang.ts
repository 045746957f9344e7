// Scripts without an extension (`bin/release`, `.ci/run`) are code when their first line names
// an interpreter. Only files the path rules could not place are asked.

const INTERPRETERS: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:ba|z|k|da|a)?sh\b/, "shellscript"],
  [/\bfish\b/, "fish"],
  [/\bpython[\d.]*\b/, "python"],
  [/\b(?:tsx|ts-node)\b/, "typescript"],
  [/\b(?:node|deno|bun)\b/, "javascript"],
  [/\bruby\b/, "ruby"],
  [/\bperl\b/, "perl"],
  [/\bphp\b/, "php"],
  [/\blua(?:jit)?\b/, "lua"],
  [/\bRscript\b/, "r"],
  [/\bpwsh\b/, "powershell"],
];

/** The language a `#!` first line names, or null when there is none or it names no known interpreter. */
export function shebangLanguage(text: string): string | null {
  if (!text.startsWith("#!")) return null;
  const end = text.indexOf("\n");
  const line = end === -1 ? text : text.slice(0, end);
  for (const [interpreter, language] of INTERPRETERS) if (interpreter.test(line)) return language;
  return null;
}
