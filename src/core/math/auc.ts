// Ranking figures of a scored classifier: the reward model as a predictor of "this shown
// completion would be accepted". The AUC is the probability that a random accepted item
// scores above a random rejected one (ties count half: the Mann-Whitney U over the product of
// the class sizes), so it needs no threshold; the threshold for the serving filter is chosen
// separately, for a target precision (filter-threshold.ts).

export interface ScoredItem {
  score: number;
  /** True when the completion was (or would have been) accepted. */
  accepted: boolean;
}

/**
 * Area under the ROC curve, from mid-ranks so that tied scores count half. Null when one
 * class is empty (all accepted or none): then no pair exists to rank and 0.5 would be a lie.
 * Non-finite scores are a bug of the caller: it throws rather than rank NaN.
 */
export function rocAuc(items: readonly ScoredItem[]): number | null {
  let positives = 0;
  for (const it of items) {
    if (!Number.isFinite(it.score)) throw new Error(`rocAuc: score ${it.score} is not a finite number`);
    if (it.accepted) positives++;
  }
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...items].sort((a, b) => a.score - b.score);
  // Sum of the positives' ranks (1-based), each tie group given its mean rank.
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.accepted) rankSum += midRank;
    i = j;
  }
  const u = rankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}
