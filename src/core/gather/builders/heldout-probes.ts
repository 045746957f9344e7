// heldout.jsonl: line-completion probes in files never trained on, for evaluation. The target
// is what an editor would complete: the rest of a line from a cursor inside it, or the whole
// next line from its indentation. Prefix and suffix are cut like a completion request's.
import type { HeldoutProbe } from "../../store/dataset-files";
import type { LineIndex } from "../text/line-index";
import { contextWindow } from "./context-window";
import { spanOfKind } from "./fim-spans";

export interface ProbeSettings {
  prefixChars: number;
  suffixChars: number;
  perFile: number;
  charsPerProbe: number;
}

export function buildHeldoutProbes(path: string, index: LineIndex, settings: ProbeSettings, random: () => number): HeldoutProbe[] {
  const text = index.text;
  const wanted = Math.max(1, Math.min(settings.perFile, Math.ceil(text.length / settings.charsPerProbe)));
  const probes: HeldoutProbe[] = [];
  const usedLines = new Set<number>();
  for (let attempt = 0; probes.length < wanted && attempt < wanted * 8; attempt++) {
    const span = spanOfKind(index, random() < 0.5 ? "line-rest" : "next-line", random);
    if (!span) continue;
    const line = index.lineAt(span.start);
    const target = text.slice(span.start, span.end);
    if (usedLines.has(line) || target.trim() === "") continue;
    usedLines.add(line);
    const { from, to } = contextWindow(index, span.start, span.end, settings.prefixChars, settings.suffixChars);
    probes.push({ prefix: text.slice(from, span.start), suffix: text.slice(span.end, to), target, path, line: line + 1 });
  }
  return probes.sort((a, b) => a.line - b.line);
}
