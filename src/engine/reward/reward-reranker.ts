// The reward model as the completion service's reranker (src/serve/reranker.ts): candidates
// for a place are scored as completions of its FIM prompt, the best is shown, and all are held
// back when even the best scores under the threshold. The threshold is the user's to choose;
// `thresholdFromPairs` suggests one from held-out pairs (the reward below which most rejected
// completions fall).
import { formatFimPrompt } from "../../core/completion/fim-prompt";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import type { CompletionReranker } from "../../core/completion/reranker";
import type { CompletionPlace } from "../../core/completion";
import { RewardScorer, type RewardModel } from "./reward-model";

export class RewardReranker implements CompletionReranker {
  private readonly scorer: RewardScorer;

  constructor(
    rm: RewardModel,
    readonly threshold?: number,
  ) {
    this.scorer = new RewardScorer(rm, rm.model.config.max_position_embeddings - 1);
  }

  score(place: CompletionPlace & { languageId: string }, candidates: readonly string[]): Promise<number[]> {
    return this.scorer.score(formatFimPrompt(place.prefix, place.suffix), candidates);
  }
}

/**
 * A threshold that holds back `quantile` of the rejected sides of `pairs` (default: three
 * quarters), or null without pairs. Chosen sides below it would be held back too: the report's
 * reward accuracy says how often that happens.
 */
export async function thresholdFromPairs(scorer: RewardScorer, pairs: readonly PreferencePair[], quantile = 0.75): Promise<number | null> {
  const rejected: number[] = [];
  for (const p of pairs) rejected.push((await scorer.score(p.prompt, [p.rejected]))[0]!);
  if (rejected.length === 0) return null;
  rejected.sort((a, b) => a - b);
  return rejected[Math.min(rejected.length - 1, Math.floor(quantile * rejected.length))]!;
}
