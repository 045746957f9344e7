// Files that are mostly numbers (tables, weights, test vectors, coordinates): they teach a
// model to emit digits, not code. Counted over non-blank characters, so the padding of a
// column-aligned table does not hide its digits.
import type { ContentStats } from "./content-stats";

export const DATA_HEAVY_DIGIT_SHARE = 0.3;

export function dataHeavyRule(stats: ContentStats): string | null {
  if (stats.nonBlank < 100) return null;
  const share = stats.digits / stats.nonBlank;
  return share > DATA_HEAVY_DIGIT_SHARE ? `${Math.round(share * 100)}% digits` : null;
}
