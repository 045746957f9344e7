// The training charts: loss (train and eval) per stage, learning rate, throughput, memory,
// DPO rewards and accuracy, RL reward and KL to the reference, distillation KL.
import { columnSpecs, isDpoAccuracy, isDpoReward, isRlKl, isRlReward, klSpecs, lossSpecs, metricSpecs, type SeriesSpec } from "../model/chart-data";
import type { PageState } from "../model/page-state";
import type { RunModel } from "../model/run-model";
import { ChartView, type ChartOptions } from "./chart-view";
import { h } from "./dom";
import type { ChartTheme } from "./theme";

interface ChartDef {
  options: ChartOptions;
  specs: (run: RunModel) => SeriesSpec[];
}

const CHARTS: ChartDef[] = [
  { options: { id: "chart-loss", title: "Loss (train line, eval points)", empty: "No training steps yet.", colorBy: "stage" }, specs: lossSpecs },
  { options: { id: "chart-lr", title: "Learning rate", empty: "No training steps yet.", colorBy: "stage" }, specs: (r) => columnSpecs(r, "lr") },
  { options: { id: "chart-tps", title: "Tokens per second", empty: "No training steps yet.", colorBy: "stage" }, specs: (r) => columnSpecs(r, "tokensPerSec") },
  { options: { id: "chart-rss", title: "Memory of the worker (MiB)", empty: "No training steps yet.", colorBy: "stage" }, specs: (r) => columnSpecs(r, "rssMb") },
  { options: { id: "chart-dpo-rewards", title: "DPO rewards (chosen, rejected, margin)", empty: "No DPO steps in this run yet.", colorBy: "index" }, specs: (r) => metricSpecs(r, "dpo", isDpoReward) },
  { options: { id: "chart-dpo-acc", title: "DPO reward accuracy", empty: "No DPO steps in this run yet.", colorBy: "index", yRange: [0, 1] }, specs: (r) => metricSpecs(r, "dpo", isDpoAccuracy) },
  { options: { id: "chart-rl-reward", title: "RL reward per step (reward model score, and less the KL penalty)", empty: "No RL steps in this run yet.", colorBy: "index" }, specs: (r) => metricSpecs(r, "rl", isRlReward) },
  { options: { id: "chart-rl-kl", title: "RL KL to the reference model per step", empty: "No RL steps in this run yet.", colorBy: "index" }, specs: (r) => metricSpecs(r, "rl", isRlKl) },
  { options: { id: "chart-kl", title: "Distillation KL (teacher ‖ student)", empty: "No distillation steps in this run yet.", colorBy: "index" }, specs: klSpecs },
];

export class ChartsView {
  readonly root: HTMLElement;
  private readonly charts: { def: ChartDef; view: ChartView }[];

  constructor(theme: ChartTheme) {
    this.charts = CHARTS.map((def) => ({ def, view: new ChartView(def.options, theme) }));
    this.root = h(
      "section",
      { id: "charts", "aria-labelledby": "charts-title" },
      h("h2", { id: "charts-title" }, "Training"),
      h("div", { class: "chart-grid" }, ...this.charts.map((c) => c.view.root)),
    );
  }

  private pending: number[] = [];
  private frame = 0;
  private state: PageState | null = null;

  /**
   * Draws the charts one per animation frame: each thins up to 100,000 points, and doing
   * all nine in one task would block the page for a few hundred milliseconds.
   */
  update(state: PageState): void {
    this.state = state;
    this.pending = this.charts.map((_, i) => i);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawNext());
  }

  private drawNext(): void {
    this.frame = 0;
    const i = this.pending.shift();
    if (i === undefined || !this.state) return;
    const { def, view } = this.charts[i]!;
    view.update(def.specs(this.state.run));
    if (this.pending.length) this.frame = requestAnimationFrame(() => this.drawNext());
  }

  setTheme(theme: ChartTheme): void {
    for (const { view } of this.charts) view.setTheme(theme);
  }
}
