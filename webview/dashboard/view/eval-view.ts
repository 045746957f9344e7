// The evaluation table: the models compared on held-out files, best value per column marked
// (bold, a star, and "best" for screen readers).
import { EVAL_METRICS } from "../../../src/core/protocol";
import { buildEvalTable, formatEvalValue, METRIC_LABELS, ROW_LABELS } from "../model/eval-table";
import type { PageState } from "../model/page-state";
import { h, icon, section, srOnly } from "./dom";
import type { ReportFilter } from "../../../src/core/protocol";
import { formatPercent } from "../model/format";

/** The serving filter on held-out places, in one sentence: what it holds back and what that buys. */
export function filterSentence(f: ReportFilter): string {
  const pct = (x: number | null) => (x === null ? "–" : formatPercent(x));
  return (
    `Completion filter (${f.mode}), measured on these held-out places: holds back ${pct(f.heldBackShare)} of suggestions; ` +
    `exact match of what it shows ${pct(f.exactMatchShown)} against ${pct(f.exactMatchAll)} of all; ` +
    `${f.addedLatencyMsP50 === null ? "added latency not measured" : `adds ${f.addedLatencyMsP50.toFixed(1)} ms at p50`}; reward model AUC ${f.auc === null ? "– (one class only)" : f.auc.toFixed(3)}.`
  );
}

export class EvalView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    ({ root: this.root, body: this.body } = section("evaluation", "Evaluation on held-out files"));
  }

  update(state: PageState): void {
    const table = buildEvalTable(state.report, state.run.liveEval);
    if (!table.rows.length) {
      this.body.replaceChildren(h("p", { class: "muted" }, "No evaluation yet: it runs after training, on files never trained on."));
      return;
    }
    const head = h("tr", null, h("th", { scope: "col" }, "Model"), ...EVAL_METRICS.map((m) => h("th", { scope: "col", class: "num" }, METRIC_LABELS[m])));
    const rows = table.rows.map((row) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, ROW_LABELS[row.name]),
        ...EVAL_METRICS.map((m) => {
          const cell = row.cells[m];
          return h("td", { class: `num${cell.best ? " best" : ""}` }, cell.best ? icon("star-full", "best-mark") : null, formatEvalValue(m, cell.value), cell.best ? srOnly(" (best)") : null);
        }),
      ),
    );
    const note = table.source === "live" ? h("p", { class: "muted" }, "Live numbers from the evaluation stage; report.json replaces them when the run ends.") : null;
    const filter = state.report?.filter ? h("p", { class: "filter-figures" }, filterSentence(state.report.filter)) : null;
    this.body.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "data eval" }, h("thead", null, head), h("tbody", null, ...rows))), ...(note ? [note] : []), ...(filter ? [filter] : []));
  }
}
