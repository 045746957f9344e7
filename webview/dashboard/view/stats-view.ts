// Where and how the run goes: backend, device, memory, elapsed time, and the error if any.
import { formatDuration, formatMb } from "../model/format";
import type { PageState } from "../model/page-state";
import { elapsedSec } from "../model/run-model";
import { h, icon, statItem } from "./dom";

const STATE_TEXT = { idle: "no run", running: "running", done: "finished", failed: "failed", cancelled: "cancelled" } as const;

export class StatsView {
  readonly root = h("section", { class: "stats card", "aria-label": "Run" });

  update(state: PageState, now: number): void {
    const run = state.run;
    if (!run.runId) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    const children: HTMLElement[] = [
      statItem("State", STATE_TEXT[run.state]),
      statItem("Preset", run.preset ?? "—"),
      statItem("Backend", run.backend ?? "—"),
      statItem("Device", run.device ?? "—"),
      statItem("Memory", formatMb(run.rssMb), "Resident memory of the training worker"),
      statItem("Peak memory", formatMb(run.peakRssMb)),
      statItem("Elapsed", formatDuration(elapsedSec(run, now))),
    ];
    const grid = h("div", { class: "stat-grid" }, ...children);
    const error = run.error
      ? h("div", { class: "notice error", role: "alert" }, icon("error"), h("strong", null, ` ${run.error.message}`), h("div", null, run.error.hint))
      : null;
    this.root.replaceChildren(grid, ...(error ? [error] : []));
  }
}
