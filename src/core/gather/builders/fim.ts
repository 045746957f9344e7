// FIM samples of sft.jsonl: {prompt, completion, kind: "fim", path}, the prompt in PSM order
// (fim-prompt.ts) and the completion the middle. prefix + middle + suffix is always a
// contiguous, line-aligned piece of the file: the whole file when it fits the context window.
import { formatFimPrompt } from "../../completion/fim-prompt";
import type { SftRecord } from "../../store/dataset-files";
import type { LineIndex } from "../text/line-index";
import { contextWindow } from "./context-window";
import { chooseFimSpans } from "./fim-spans";

export interface FimSettings {
  prefixChars: number;
  suffixChars: number;
  charsPerSample: number;
  maxPerFile: number;
}

/** Samples in proportion to the file's size: one per `charsPerSample`, at least one, capped. */
export function fimSampleCount(chars: number, settings: FimSettings): number {
  return Math.max(1, Math.min(settings.maxPerFile, Math.ceil(chars / settings.charsPerSample)));
}

/** Where each FIM sample of a file cuts it: [from, start) prefix, [start, end) middle, [end, to) suffix. */
export interface FimCut {
  from: number;
  start: number;
  end: number;
  to: number;
}

export function fimCuts(index: LineIndex, settings: FimSettings, random: () => number): FimCut[] {
  return chooseFimSpans(index, fimSampleCount(index.text.length, settings), random).map((span) => {
    const { from, to } = contextWindow(index, span.start, span.end, settings.prefixChars, settings.suffixChars);
    return { from, start: span.start, end: span.end, to };
  });
}

/** `repoName`: the prompt starts with the repository-level header (name and path), as the editor asks. */
export function buildFimSamples(path: string, index: LineIndex, settings: FimSettings, random: () => number, repoName?: string): SftRecord[] {
  const text = index.text;
  const repo = repoName === undefined ? undefined : { name: repoName, path };
  return fimCuts(index, settings, random).map((cut) => ({
    prompt: formatFimPrompt(text.slice(cut.from, cut.start), text.slice(cut.end, cut.to), repo),
    completion: text.slice(cut.start, cut.end),
    kind: "fim",
    path,
  }));
}
