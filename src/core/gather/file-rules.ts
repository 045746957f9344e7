// The order in which a file is judged, cheapest evidence first: its path (no read needed),
// then its contents. The first rule that applies is the reason the user sees.
import type { ExclusionReason } from "../store/dataset-manifest";
import { binaryExtensionRule } from "./filters/binary-extensions";
import type { CodeLanguages } from "./filters/code-languages";
import type { ContentStats } from "./filters/content-stats";
import { dataHeavyRule } from "./filters/data-heavy";
import { generatedMarker, generatedPathRule } from "./filters/generated";
import { lockfileRule } from "./filters/lockfiles";
import { minifiedRule } from "./filters/minified";
import type { PathParts } from "./filters/path-parts";
import { secretFileRule } from "./filters/secret-file-names";
import { vendoredRule } from "./filters/vendored";
import { findSecret } from "./secrets/find-secret";

export interface Verdict {
  reason: ExclusionReason;
  detail: string;
}

const PATH_RULES: ReadonlyArray<[ExclusionReason, (parts: PathParts) => string | null]> = [
  ["secret-file", secretFileRule],
  ["vendored", vendoredRule],
  ["lockfile", lockfileRule],
  ["generated", generatedPathRule],
  ["binary", binaryExtensionRule],
];

/**
 * A reason to exclude the file by its path alone, or its language when it may be code. The
 * language is null for a file without an extension: its `#!` line decides (shebang.ts).
 */
export function judgePath(parts: PathParts, languages: CodeLanguages): Verdict | { language: string | null } {
  for (const [reason, rule] of PATH_RULES) {
    const detail = rule(parts);
    if (detail !== null) return { reason, detail };
  }
  const language = languages.languageOf(parts);
  if (language !== null) return { language };
  if (parts.extension === "" && !parts.name.startsWith(".")) return { language: null };
  return { reason: "not-code", detail: parts.extension ? `${parts.extension} is not in the code languages` : "no code extension" };
}

/**
 * A reason to exclude the file by its (valid UTF-8) text, or null to keep it. The credential
 * scan, the costliest rule, runs last: a file already excluded is never written anywhere, so
 * its secrets cannot leak, and most generated or minified text is where scanning is slowest.
 */
export function judgeContent(text: string, stats: ContentStats, language: string): Verdict | null {
  const marker = generatedMarker(text);
  if (marker) return { reason: "generated", detail: marker };
  const minified = minifiedRule(stats);
  if (minified) return { reason: "minified", detail: minified };
  const dataHeavy = dataHeavyRule(stats);
  if (dataHeavy) return { reason: "data-heavy", detail: dataHeavy };
  const secret = findSecret(text, language);
  if (secret) return { reason: "secret", detail: `${secret.kind} on line ${secret.line}` };
  return null;
}
