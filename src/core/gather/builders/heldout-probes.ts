// heldout.jsonl: completion probes in files never trained on, for evaluation. The target is
// what an editor would complete: the rest of a line from a cursor inside it, the whole next
// line from its indentation (line mode), or the body of a block from a fresh line at its
// indentation (block mode, the multi-line suggestion). Prefix and suffix are cut like a
// completion request's. Targets that tell nothing about the model are left out and counted:
// a lone `}` or `end` (any model closes a block), a line of 3 characters, or a line that also
// occurs in a training file (it may have been learnt by heart).
import type { HeldoutProbe } from "../../store/dataset-files";
import type { LineHashSet } from "../dedup/line-hash-set";
import type { LineIndex } from "../text/line-index";
import { contextWindow } from "./context-window";
import { spanOfKind, type FimSpanKind } from "./fim-spans";

export interface ProbeSettings {
  prefixChars: number;
  suffixChars: number;
  perFile: number;
  charsPerProbe: number;
}

/** Why a target is not a probe. */
export type ProbeExclusion = "short" | "closes-block" | "in-training-files";

/** Lines of a block probe at most: what 64 tokens (the editor's limit) can hold. */
export const BLOCK_PROBE_MAX_LINES = 6;

/** Shares of the probe kinds: mostly the rest of a line, as completions are in practice. */
const KINDS: ReadonlyArray<[FimSpanKind, number]> = [
  ["line-rest", 0.45],
  ["next-line", 0.35],
  ["block", 0.2],
];

/** Words that only end a block (or a branch of one) in common languages. */
const CLOSERS = /\b(end|fi|done|esac|endif|endfor|endwhile|endfunction|endsub|endmodule|endclass|else|pass|break|continue|return)\b/gu;

/** The reason a target carries no information, or null when it is a fair test. */
export function uninformative(target: string): Exclude<ProbeExclusion, "in-training-files"> | null {
  if (target.replace(/\s+/gu, "").length < 4) return "short";
  if (/^[\s\p{P}\p{S}]*$/u.test(target.replace(CLOSERS, ""))) return "closes-block";
  return null;
}

function pickKind(random: () => number): FimSpanKind {
  let r = random();
  for (const [kind, share] of KINDS) {
    if (r < share) return kind;
    r -= share;
  }
  return "line-rest";
}

export interface ProbeBuild {
  probes: HeldoutProbe[];
  excluded: Partial<Record<ProbeExclusion, number>>;
}

export function buildHeldoutProbes(path: string, index: LineIndex, settings: ProbeSettings, random: () => number, trainingLines?: LineHashSet): ProbeBuild {
  const text = index.text;
  const wanted = Math.max(1, Math.min(settings.perFile, Math.ceil(text.length / settings.charsPerProbe)));
  const probes: HeldoutProbe[] = [];
  const excluded: Partial<Record<ProbeExclusion, number>> = {};
  const usedLines = new Set<number>();
  for (let attempt = 0; probes.length < wanted && attempt < wanted * 8; attempt++) {
    const kind = pickKind(random);
    const span = spanOfKind(index, kind, random);
    if (!span) continue;
    const line = index.lineAt(span.start);
    if (usedLines.has(line)) continue;
    let end = span.end;
    if (kind === "block") {
      const last = Math.min(index.lineAt(Math.max(span.start, span.end - 1)), line + BLOCK_PROBE_MAX_LINES - 1);
      end = index.contentEnd(last);
    }
    const target = text.slice(span.start, end);
    if (target.trim() === "") continue;
    usedLines.add(line);
    const reason = uninformative(target) ?? (trainingLines && occursInTraining(index, line, index.lineAt(Math.max(span.start, end - 1)), trainingLines) ? "in-training-files" : null);
    if (reason) {
      excluded[reason] = (excluded[reason] ?? 0) + 1;
      continue;
    }
    const { from, to } = contextWindow(index, span.start, end, settings.prefixChars, settings.suffixChars);
    probes.push({ prefix: text.slice(from, span.start), suffix: text.slice(end, to), target, path, line: line + 1, ...(kind === "block" ? { mode: "block" as const } : {}) });
  }
  return { probes: probes.sort((a, b) => a.line - b.line), excluded };
}

/** Every line the target covers (whole lines, indentation aside) also occurs in a training file. */
function occursInTraining(index: LineIndex, first: number, last: number, trainingLines: LineHashSet): boolean {
  for (let line = first; line <= last; line++) {
    const text = index.text.slice(index.start(line), index.contentEnd(line));
    if (text.trim() !== "" && !trainingLines.has(text)) return false;
  }
  return true;
}
