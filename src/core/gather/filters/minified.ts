// Minified or otherwise machine-packed text, by line lengths: people write lines of tens of
// characters; minifiers write one line of thousands.
import { LONG_LINE, type ContentStats } from "./content-stats";

export const MINIFIED_MEAN_LINE = 300;
export const MINIFIED_MAX_LINE = 5_000;
/** Share of the bytes that sit in lines over LONG_LINE bytes. */
export const MINIFIED_LONG_LINE_SHARE = 0.5;

export function minifiedRule(stats: ContentStats): string | null {
  if (stats.bytes < 500) return null; // a one-liner is not minified
  const mean = stats.bytes / Math.max(1, stats.lines);
  if (mean > MINIFIED_MEAN_LINE) return `mean line length ${Math.round(mean)} bytes`;
  if (stats.maxLineLength > MINIFIED_MAX_LINE) return `a line of ${stats.maxLineLength} bytes`;
  if (stats.longLineBytes / stats.bytes > MINIFIED_LONG_LINE_SHARE) return `${Math.round((100 * stats.longLineBytes) / stats.bytes)}% of it in lines over ${LONG_LINE} bytes`;
  return null;
}
