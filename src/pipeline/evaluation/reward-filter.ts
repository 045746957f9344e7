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
import { exactMatch } from "../../core/completion/metrics";
import { rocAuc, type ScoredItem } from "../../core/math/auc";
import { chooseThreshold, FILTER_FILE, type FilterMode } from "../../core/math/filter-threshold";
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
export { FILTER_FILE };

export interface ShownItem {
  prefix: string;
  suffix: string;
  shown: string;
  accepted: boolean;
  source: "editor" | "synthetic";
  /** The held-out truth (synthetic items): what exact match is measured against. */
  target?: string;
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
    out.push({ prefix: p.prefix, suffix: p.suffix, shown, accepted: firstLine(shown) === firstLine(p.target), source: "synthetic", target: p.target });
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

/** Scores each item as the server does; `timesMs`, when given, gets each score's wall time (the filter's added latency). */
export async function scoreShownItems(scorer: RewardScorer, items: readonly ShownItem[], signal?: AbortSignal, timesMs?: number[]): Promise<ScoredItem[]> {
  const out: ScoredItem[] = [];
  for (const it of items) {
    if (signal?.aborted) break;
    const t = performance.now();
    const [score] = await scorer.score(filterPrompt(it.prefix, it.suffix), [it.shown]);
    timesMs?.push(performance.now() - t);
    out.push({ score: score!, accepted: it.accepted });
  }
  return out;
}

/** report.json's `filter`: what the filter at one threshold does to the held-out items. */
export interface FilterOutcome {
  mode: Exclude<FilterMode, "off">;
  threshold: number | null;
  /** Share 0-1 of the scored items the filter holds back (score under the threshold, as the server's choose()). */
  heldBackShare: number | null;
  /** Exact match over the items with a truth (synthetic), all of them / only those the filter shows. */
  exactMatchAll: number | null;
  exactMatchShown: number | null;
  /** Items with a truth, and of them those shown. */
  exactMatchItems: number;
  exactMatchShownItems: number;
  /** Median wall time of one score (ms): what the filter adds to a completion. */
  addedLatencyMsP50: number | null;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The filter's outcome on items and their scores (in the same order); no threshold: nothing is held back. */
export function filterOutcome(items: readonly ShownItem[], scored: readonly ScoredItem[], threshold: number | null, mode: Exclude<FilterMode, "off"> = "balanced", timesMs: readonly number[] = []): FilterOutcome {
  const n = Math.min(items.length, scored.length);
  let held = 0;
  let all = 0;
  let allHit = 0;
  let shown = 0;
  let shownHit = 0;
  for (let i = 0; i < n; i++) {
    const isHeld = threshold !== null && scored[i]!.score < threshold;
    if (isHeld) held++;
    const target = items[i]!.target;
    if (target === undefined) continue;
    const hit = exactMatch(items[i]!.shown, target);
    all++;
    if (hit) allHit++;
    if (!isHeld) {
      shown++;
      if (hit) shownHit++;
    }
  }
  return {
    mode,
    threshold,
    heldBackShare: n ? held / n : null,
    exactMatchAll: all ? allHit / all : null,
    exactMatchShown: shown ? shownHit / shown : null,
    exactMatchItems: all,
    exactMatchShownItems: shown,
    addedLatencyMsP50: median(timesMs),
  };
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
 * process, scoring each candidate on the same short window as at evaluation. Null when it has
 * nothing to do: no threshold for the mode (or mode off) and no best-of-n to pick among.
 */
export async function loadRewardFilter(rewardModelDir: string, mode: FilterMode, bestOf = 1): Promise<(CompletionReranker & { dispose(): void }) | null> {
  const threshold = readFilterThreshold(rewardModelDir, mode);
  // Best-of-n needs the scores even when nothing is held back.
  if (threshold === null && bestOf <= 1) return null;
  // The server process has no tensor backend until now: the fastest that loads here.
  await resolveBackend("auto");
  const rm = loadRewardModel(rewardModelDir);
  const scorer = filterScorer(rm);
  return {
    ...(threshold === null ? {} : { threshold }),
    score: (place, candidates) => scorer.score(filterPrompt(place.prefix, place.suffix), candidates),
    dispose: () => {
      rm.model.dispose();
      rm.head.dispose();
    },
  };
}
