// What the user did with the completions: counts, the acceptance rate over time, and the
// preference pairs that the next DPO stage will train on.
import type { FeedbackSummary } from "../../../src/core/protocol";
import { formatPercent } from "../model/format";
import type { PageState } from "../model/page-state";
import { ChartView } from "./chart-view";
import { h, section, statItem } from "./dom";
import type { ChartTheme } from "./theme";

export class FeedbackView {
  readonly root: HTMLElement;
  private readonly stats = h("div", { class: "stat-grid" });
  private readonly note = h("p", { class: "muted" });
  private readonly chart: ChartView;

  constructor(theme: ChartTheme) {
    const s = section("feedback", "Feedback from completions");
    this.root = s.root;
    this.chart = new ChartView({ id: "chart-acceptance", title: "Acceptance rate over time", empty: "No completions shown yet.", colorBy: "index", time: true, yRange: [0, 1] }, theme);
    s.body.append(this.stats, this.note, this.chart.root);
  }

  setTheme(theme: ChartTheme): void {
    this.chart.setTheme(theme);
  }

  update(state: PageState): void {
    const f = state.feedback;
    const shown = f ? f.accepted + f.rejected + f.partial : 0;
    this.stats.replaceChildren(
      statItem("Shown", String(shown)),
      statItem("Accepted", String(f?.accepted ?? 0)),
      statItem("Partly accepted", String(f?.partial ?? 0)),
      statItem("Rejected", String(f?.rejected ?? 0)),
      statItem("Acceptance rate", shown ? formatPercent((f!.accepted + f!.partial) / shown) : "—", "Accepted or partly accepted, of all completions shown"),
      statItem("Pairs waiting for the next DPO", String(f?.pairsWaiting ?? 0)),
      ...(state.overview?.filter ? [statItem("Held back by the filter", `${state.overview.filter.heldBack} of ${state.overview.filter.judged}`, `Suggestions the reward model held back in this window (repotune.completions.filter: ${state.overview.filter.mode})`)] : []),
    );
    this.note.textContent = f && f.skipped ? `${f.skipped} line(s) of feedback/events.jsonl could not be read and were skipped.` : "";
    this.note.hidden = !this.note.textContent;
    this.chart.update(f ? rateSpecs(f) : []);
  }
}

function rateSpecs(f: FeedbackSummary) {
  const xs = f.overTime.map((b) => Date.parse(b.start) / 1000);
  const ys = f.overTime.map((b) => (b.shown ? b.taken / b.shown : Number.NaN));
  return xs.length ? [{ label: "accepted", stage: null, xs, ys }] : [];
}
