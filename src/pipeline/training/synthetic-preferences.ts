// Synthetic preference pairs, for when the user has given too few accept/reject decisions:
// at a line in the repository, chosen = what the code really says, rejected = what the current
// model writes there when that differs (its own mistake, the most useful thing to push
// against), or else a line taken from elsewhere. Each is marked source "synthetic".
import { formatFimPrompt } from "../../core/completion/fim-prompt";
import type { PreferencePair } from "../../core/feedback/feedback-types";
import { exactMatch } from "../../core/completion/metrics";
import type { LineCompleter } from "../../core/completion/completer";
import type { LineProbe } from "../data/line-probes";
import { seededRandom } from "../../core/random/seeded-random";
import { probeContext } from "../../core/completion/context";

/** Real pairs below this count get synthetic ones added (the threshold). */
export const MIN_REAL_PAIRS = 32;

export interface SyntheticPairStats {
  fromModel: number;
  fromElsewhere: number;
  skipped: number;
}

export interface SyntheticPairsResult {
  pairs: PreferencePair[];
  stats: SyntheticPairStats;
}

/** A different line from another probe (not equal up to whitespace), or null if none is. */
function elsewhere(probes: readonly LineProbe[], i: number, random: () => number, sameFile: boolean): string | null {
  const pool = sameFile ? probes.filter((p) => p.path === probes[i]!.path) : probes;
  for (let tries = 0; tries < 16 && pool.length > 1; tries++) {
    const other = pool[Math.floor(random() * pool.length)]!;
    if (other === probes[i]) continue;
    if (!exactMatch(other.target, probes[i]!.target) && other.target.trim() !== "") return other.target;
  }
  return null;
}

export async function syntheticPairs(
  completer: LineCompleter,
  probes: readonly LineProbe[],
  options: {
    seed: number;
    signal?: AbortSignal;
    onPair?: (done: number, total: number) => void;
    /** Who `completer` is: the model DPO trains ("policy", for training pairs) or the run's base (held-out pairs). */
    rejectedBy?: "policy" | "base-model";
    /** Where a line from elsewhere comes from: any probe's file, or the same file (held-out pairs). */
    elsewhere?: "any" | "same-file";
  },
): Promise<SyntheticPairsResult> {
  const random = seededRandom(options.seed);
  const pairs: PreferencePair[] = [];
  const stats: SyntheticPairStats = { fromModel: 0, fromElsewhere: 0, skipped: 0 };
  for (let i = 0; i < probes.length; i++) {
    if (options.signal?.aborted) break;
    const p = probes[i]!;
    const context = probeContext(p);
    const guess = (await completer.complete(context, options.signal)).text;
    let rejected: string | null;
    let rejectedBy: PreferencePair["rejectedBy"];
    if (guess.trim() !== "" && !exactMatch(guess, p.target)) {
      rejected = guess;
      rejectedBy = options.rejectedBy ?? "policy";
      stats.fromModel++;
    } else {
      const sameFile = options.elsewhere === "same-file";
      rejected = elsewhere(probes, i, random, sameFile);
      rejectedBy = sameFile ? "same-file" : "elsewhere";
      if (rejected !== null) stats.fromElsewhere++;
    }
    if (rejected === null) stats.skipped++;
    else pairs.push({ prompt: formatFimPrompt(p.prefix, p.suffix, context.repo), chosen: p.target, rejected, source: "synthetic", ...(p.path ? { path: p.path } : {}), rejectedBy });
    options.onPair?.(i + 1, probes.length);
  }
  return { pairs, stats };
}
