// The reward model as a predictor of acceptance, measured on held-out shown completions and
// turned into the serving filter's thresholds (issue 15, items 1 and 3).
//
// Items: editor events in held-out files (accepted = 1, rejected = 0, a partial accept counts
// as accepted when at least half the suggestion was taken), and, for runs with little editor
// data, the served model's own held-out predictions (marked synthetic; accepted when the
// prediction's first line equals the truth's). Each is scored as the server scores it: the
// reward model on a short window of the place (FILTER_SEQ_LEN tokens), because the server
// must score within a few milliseconds and the threshold only means something when eval and
// serving score alike.
import { dirname, join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { formatFimPrompt } from "../../core/completion/fim-prompt";
import { rocAuc, type ScoredItem } from "../../core/math/auc";
import { chooseThreshold, type FilterMode } from "../../core/math/filter-threshold";
import type { HeldoutProbe } from "../../core/store/dataset-files";
import type { FeedbackEvent } from "../../core/feedback/feedback-types";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import type { CompletionReranker } from "../../core/completion/reranker";
import { readRecords } from "../../core/store/jsonl-reader";
import { writeFileAtomicSync } from "../../core/fs/atomic-write";
import { resolveBackend } from "../run/resolve-backend";
import { loadRewardModel, RewardScorer, type RewardModel } from "../../engine/reward/reward-model";

/** Tokens of place + completion the filter reads: small enough for a few ms on a CPU. */
export const FILTER_SEQ_LEN = 96;
/** Characters of prefix and suffix handed to the tokenizer (the FIM encoder trims to tokens). */
const WINDOW_CHARS = 4 * FILTER_SEQ_LEN;
export const FILTER_FILE = "filter.json";

export interface ShownItem {
  prefix: string;
  suffix: string;
  shown: string;
  accepted: boolean;
  source: "editor" | "synthetic";
}

export interface RewardFilterFigures {
  /** AUC of "accepted" from the reward score, over all items; null with one class only. */
  auc: number | null;
  items: number;
  bySource: { editor: number; synthetic: number };
  thresholds: Record<Exclude<FilterMode, "off">, number | null>;
}

/** What the server reads next to the reward model: the thresholds and how they were chosen. */
export interface FilterFile extends RewardFilterFigures {
  version: 1;
  seqLen: number;
}

export function filterPrompt(prefix: string, suffix: string): string {
  return formatFimPrompt(prefix.slice(-WINDOW_CHARS), suffix.slice(0, WINDOW_CHARS));
}

const firstLine = (s: string) => s.split("\n", 1)[0]!.trim();

/** The served model's held-out predictions as shown items (synthetic labels). */
export function syntheticShownItems(probes: readonly HeldoutProbe[], predictions: readonly string[]): ShownItem[] {
  const out: ShownItem[] = [];
  probes.forEach((p, i) => {
    const shown = predictions[i];
    if (shown === undefined || shown.trim() === "") return; // nothing would have been shown
    out.push({ prefix: p.prefix, suffix: p.suffix, shown, accepted: firstLine(shown) === firstLine(p.target), source: "synthetic" });
  });
  return out;
}

/** Editor events of held-out files as shown items. */
export function editorShownItems(events: readonly FeedbackEvent[], isHeldoutPath: (path: string) => boolean): ShownItem[] {
  const out: ShownItem[] = [];
  for (const e of events) {
    if (typeof e.shown !== "string" || e.shown === "" || typeof e.path !== "string" || !isHeldoutPath(e.path)) continue;
    const share = e.outcome === "partial" ? (e.acceptedChars ?? 0) / e.shown.length : e.outcome === "accepted" ? 1 : 0;
    out.push({ prefix: e.prefix, suffix: e.suffix, shown: e.shown, accepted: share >= 0.5, source: "editor" });
  }
  return out;
}

/** Held-out editor events of a dataset folder (its sibling feedback/events.jsonl), if any. */
export function readHeldoutEvents(datasetDir: string, isHeldout: (p: PreferencePair) => boolean): ShownItem[] {
  const file = join(dirname(datasetDir), "feedback", "events.jsonl");
  if (!existsSync(file)) return [];
  const events = [...readRecords<FeedbackEvent>(file)];
  return editorShownItems(events, (path) => isHeldout({ prompt: "", chosen: "", rejected: "", source: "editor", path }));
}

export function filterScorer(rm: RewardModel): RewardScorer {
  return new RewardScorer(rm, Math.min(FILTER_SEQ_LEN, rm.model.config.max_position_embeddings - 1));
}

export async function scoreShownItems(scorer: RewardScorer, items: readonly ShownItem[], signal?: AbortSignal): Promise<ScoredItem[]> {
  const out: ScoredItem[] = [];
  for (const it of items) {
    if (signal?.aborted) break;
    const [score] = await scorer.score(filterPrompt(it.prefix, it.suffix), [it.shown]);
    out.push({ score: score!, accepted: it.accepted });
  }
  return out;
}

export function filterFigures(items: readonly ShownItem[], scored: readonly ScoredItem[]): RewardFilterFigures {
  const editor = items.filter((i) => i.source === "editor").length;
  return {
    auc: rocAuc(scored),
    items: scored.length,
    bySource: { editor, synthetic: items.length - editor },
    thresholds: { balanced: chooseThreshold(scored, "balanced")?.threshold ?? null, strict: chooseThreshold(scored, "strict")?.threshold ?? null },
  };
}

export function writeFilterFile(rewardModelDir: string, figures: RewardFilterFigures): string {
  const file = join(rewardModelDir, FILTER_FILE);
  const body: FilterFile = { version: 1, seqLen: FILTER_SEQ_LEN, ...figures };
  writeFileAtomicSync(file, JSON.stringify(body, null, 2) + "\n");
  return file;
}

/** The threshold for `mode` from a reward model folder's filter.json, or null (no file, no threshold, or off). */
export function readFilterThreshold(rewardModelDir: string, mode: FilterMode): number | null {
  if (mode === "off") return null;
  try {
    const f = JSON.parse(readFileSync(join(rewardModelDir, FILTER_FILE), "utf8")) as Partial<FilterFile>;
    const t = f.thresholds?.[mode];
    return typeof t === "number" && Number.isFinite(t) ? t : null;
  } catch {
    return null;
  }
}

/**
 * The serving filter as the completion service's reranker: the reward model in the server
 * process, scoring each candidate on the same short window as at evaluation. Null when the
 * mode is off or the folder has no threshold for it (the server then shows everything).
 */
export async function loadRewardFilter(rewardModelDir: string, mode: FilterMode): Promise<(CompletionReranker & { dispose(): void }) | null> {
  const threshold = readFilterThreshold(rewardModelDir, mode);
  if (threshold === null) return null;
  // The server process has no tensor backend until now: the fastest that loads here.
  await resolveBackend("auto");
  const rm = loadRewardModel(rewardModelDir);
  const scorer = filterScorer(rm);
  return {
    threshold,
    score: (place, candidates) => scorer.score(filterPrompt(place.prefix, place.suffix), candidates),
    dispose: () => {
      rm.model.dispose();
      rm.head.dispose();
    },
  };
}
