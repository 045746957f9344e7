// The hook through which a reward model (Post-training issue) can judge suggestions before
// they are shown: it scores candidates for a place, and the service shows the best one, or
// nothing when every score is below the threshold (a completion likely to be rejected is
// better not shown). Today the service passes the single greedy candidate; sampling several
// candidates comes with the reward model.
import type { CompletionPlace } from "./place";

export interface CompletionReranker {
  /** Higher is better; one score per candidate, in order. */
  score(place: CompletionPlace & { languageId: string }, candidates: readonly string[]): Promise<number[]>;
  /** Candidates scoring below this are held back. Default: none are. */
  readonly threshold?: number;
}

/** The candidate to show, or "" when the reranker holds all of them back. */
export async function choose(reranker: CompletionReranker, place: CompletionPlace & { languageId: string }, candidates: readonly string[]): Promise<string> {
  const shown = candidates.filter((c) => c !== "");
  if (shown.length === 0) return "";
  const scores = await reranker.score(place, shown);
  let best = -1;
  shown.forEach((_, i) => {
    if (best < 0 || scores[i]! > scores[best]!) best = i;
  });
  const threshold = reranker.threshold ?? -Infinity;
  return best >= 0 && scores[best]! >= threshold ? shown[best]! : "";
}
