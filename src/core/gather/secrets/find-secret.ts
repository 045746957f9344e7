// One question for the whole dataset: does this text hold a credential? A file that does is
// excluded whole, and a commit pair that does is dropped, so no secret reaches a dataset, a
// checkpoint or a completion (DESIGN.md "Data").
import { findAssignedSecret } from "./assigned-secrets";
import { findHighEntropyLiteral } from "./high-entropy-literal";
import { SECRET_PATTERNS } from "./secret-patterns";

export interface SecretFinding {
  /** Which rule matched (a pattern id, "high-entropy value assigned to <name>" or "high-entropy-literal"). Never the secret's value. */
  kind: string;
  /** 1-based line of the match. */
  line: number;
}

/** Languages where a bare word after `=` or `:` is a literal value, not an expression. */
const BARE_LITERAL_LANGUAGES = new Set(["shellscript", "fish", "powershell", "bat", "yaml", "ini", "properties", "dockerfile", "makefile", "markdown", "restructuredtext", "ignore", "editorconfig", "procfile"]);

export function bareValuesAreLiterals(language: string | null): boolean {
  return language === null || BARE_LITERAL_LANGUAGES.has(language);
}

/** Any pattern's locator; each hit is then tried against every pattern at its place. */
const LOCATOR = new RegExp(SECRET_PATTERNS.map((p) => p.locator).join("|"), "g");

/** `language` null: not known (a commit message, a file of any kind): bare values are judged too. */
export function findSecret(text: string, language: string | null = null): SecretFinding | null {
  LOCATOR.lastIndex = 0;
  let byContext: { id: string; start: number } | null = null;
  for (let hit = LOCATOR.exec(text); hit !== null; hit = LOCATOR.exec(text)) {
    // Locators may overlap ("sk-" inside another token's prefix): look again one character on.
    LOCATOR.lastIndex = hit.index + 1;
    const found = matchAt(text, hit.index);
    if (found && !found.context) return { kind: found.id, line: lineOf(text, found.start) };
    byContext ??= found;
  }
  if (byContext) return { kind: byContext.id, line: lineOf(text, byContext.start) };
  const bare = bareValuesAreLiterals(language);
  const assigned = findAssignedSecret(text, bare);
  if (assigned) return { kind: `high-entropy value assigned to ${assigned.name}`, line: lineOf(text, assigned.index) };
  const literal = findHighEntropyLiteral(text, bare);
  if (literal !== null) return { kind: "high-entropy-literal", line: lineOf(text, literal) };
  return null;
}

/** The pattern that matches around a locator found at `at`, if any (a match may start up to `lead` before it). */
function matchAt(text: string, at: number): { id: string; start: number; context: boolean } | null {
  for (const pattern of SECRET_PATTERNS) {
    for (let start = Math.max(0, at - (pattern.lead ?? 0)); start <= at; start++) {
      pattern.regex.lastIndex = start;
      const m = pattern.regex.exec(text);
      if (m && (!pattern.accept || pattern.accept(m))) return { id: pattern.id, start, context: pattern.context === true };
    }
  }
  return null;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
