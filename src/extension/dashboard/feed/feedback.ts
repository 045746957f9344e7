// Sums up feedback/events.jsonl (Inline completions issue: one record per shown completion,
// outcome accepted | rejected | partial, the text shown and what the user then wrote) for the
// dashboard. Only outcomes, times and whether a record makes a preference pair are kept:
// the records' code never leaves the host.
import type { FeedbackSummary } from "../../../core/protocol";

type Outcome = "accepted" | "rejected" | "partial";
interface Entry {
  t: number;
  outcome: Outcome;
  pair: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BUCKETS = 200;
const MAX_TIME_MS = 8.64e15;

export class FeedbackAccumulator {
  private readonly entries: Entry[] = [];
  skipped = 0;

  /** Adds one parsed line of feedback/events.jsonl; anything unreadable is counted, not thrown. */
  add(record: unknown): void {
    if (typeof record !== "object" || record === null) {
      this.skipped++;
      return;
    }
    const r = record as Record<string, unknown>;
    const t = typeof r.time === "string" ? Date.parse(r.time) : typeof r.time === "number" ? r.time : NaN;
    const outcome = r.outcome;
    // A number as the time must be one a Date holds (±8.64e15 ms): the buckets are labelled with
    // toISOString, which throws a RangeError beyond that.
    if (!Number.isFinite(t) || Math.abs(t) > MAX_TIME_MS || (outcome !== "accepted" && outcome !== "rejected" && outcome !== "partial")) {
      this.skipped++;
      return;
    }
    // The same rule as the feedback tracker's: a pair needs what the user wrote there
    // (`written`), not blank and not what was shown.
    const written = typeof r.written === "string" ? r.written : typeof r.chosen === "string" ? r.chosen : "";
    const shown = typeof r.shown === "string" ? r.shown : "";
    const pair = outcome !== "accepted" && written.trim() !== "" && written.trim() !== shown.trim();
    this.entries.push({ t, outcome, pair });
  }

  clear(): void {
    this.entries.length = 0;
    this.skipped = 0;
  }

  /**
   * `lastDpoAt`: when the newest finished run started (its DPO trained on the pairs there
   * were then); pairs recorded after it wait for the next one.
   */
  summary(lastDpoAt: number | null): FeedbackSummary {
    let accepted = 0;
    let rejected = 0;
    let partial = 0;
    let pairsWaiting = 0;
    let minT = Infinity;
    let maxT = -Infinity;
    for (const e of this.entries) {
      if (e.outcome === "accepted") accepted++;
      else if (e.outcome === "rejected") rejected++;
      else partial++;
      if (e.pair && (lastDpoAt === null || e.t > lastDpoAt)) pairsWaiting++;
      minT = Math.min(minT, e.t);
      maxT = Math.max(maxT, e.t);
    }
    return { accepted, rejected, partial, overTime: this.buckets(minT, maxT), pairsWaiting, skipped: this.skipped };
  }

  /** Hours for a couple of days of use, days for up to a few months, weeks beyond. */
  private buckets(minT: number, maxT: number): FeedbackSummary["overTime"] {
    if (!this.entries.length) return [];
    const span = maxT - minT;
    let size = span <= 2 * DAY ? HOUR : span <= 90 * DAY ? DAY : 7 * DAY;
    while (span / size > MAX_BUCKETS) size *= 2;
    const map = new Map<number, { shown: number; taken: number }>();
    for (const e of this.entries) {
      // Rounded down, but never below the earliest time a Date holds.
      const start = Math.max(Math.floor(e.t / size) * size, -MAX_TIME_MS);
      const b = map.get(start) ?? { shown: 0, taken: 0 };
      b.shown++;
      // Partly accepted counts as taken: the user kept some of it.
      if (e.outcome !== "rejected") b.taken++;
      map.set(start, b);
    }
    return [...map.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, b]) => ({ start: new Date(start).toISOString(), shown: b.shown, taken: b.taken }));
  }
}
