// Whether a run's model should replace the one serving completions: only when it is better.
// Compared on the same held-out probes with the model it would replace (the active one, or the
// base the run started from when nothing is active yet): neither exact match nor accepted
// characters may be significantly worse, and at least one must be significantly better.
import { pairedTest } from "../../core/math/resampling";
import { verdict } from "./compare-models";
import type { ItemScores } from "./types";

export interface ActivationDecision {
  /** What the rule says (the activate stage applies the user's policy to it). */
  better: boolean;
  /** In words, with the figures: what the CLI, the notification and the dashboard show. */
  reason: string;
  /** What the candidate was compared with: "the active model (run X)" or "the base". */
  against: string;
  figures: { metric: "exactMatch" | "acceptedChars"; delta: number; p: number; verdict: "better" | "worse" | "same" }[];
}

const LABELS = { exactMatch: "exact match", acceptedChars: "accepted chars" } as const;

export function decideActivation(candidate: { name: string; items: ItemScores }, against: { name: string; items: ItemScores }): ActivationDecision {
  const figures = (["exactMatch", "acceptedChars"] as const).map((metric) => {
    const r = pairedTest(against.items[metric], candidate.items[metric]);
    return { metric, delta: r.delta, p: r.p, verdict: verdict(r) };
  });
  const worse = figures.filter((f) => f.verdict === "worse");
  const better = worse.length === 0 && figures.some((f) => f.verdict === "better");
  const said = figures.map((f) => `${LABELS[f.metric]} ${f.delta >= 0 ? "+" : ""}${(100 * f.delta).toFixed(1)} pts (p ${f.p.toFixed(3)}, ${f.verdict === "same" ? "no significant difference" : f.verdict})`).join(", ");
  const n = candidate.items.exactMatch.length;
  const reason = better
    ? `the ${candidate.name} is better than ${against.name} on ${n} held-out probes: ${said}`
    : worse.length
      ? `the ${candidate.name} is worse than ${against.name} on ${n} held-out probes: ${said}`
      : `the ${candidate.name} is not significantly better than ${against.name} on ${n} held-out probes: ${said}`;
  return { better, reason, against: against.name, figures };
}
