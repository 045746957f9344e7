// Where and how the run goes: backend, device, memory, elapsed time, and the error if any.
// Built once and updated in place, since a live run updates it on every step.
import { formatDuration, formatMb } from "../model/format";
import { selectedRun, type PageState } from "../model/page-state";
import { elapsedSec } from "../model/run-model";
import { h, icon } from "./dom";

const STATE_TEXT = { idle: "no run", running: "running", done: "finished", failed: "failed", cancelled: "cancelled" } as const;
const FIELDS = ["State", "Preset", "Backend", "Device", "Memory", "Peak memory", "Elapsed"] as const;
type Field = (typeof FIELDS)[number];

export class StatsView {
  readonly root = h("section", { class: "stats card", "aria-label": "Run" });
  private readonly values = new Map<Field, HTMLElement>();
  private readonly errorBox = h("div", { class: "notice error", role: "alert" });
  /** "Done, not activated" with its reason, or which model now completes. */
  private readonly activationBox = h("div", { class: "notice", role: "status" });

  constructor() {
    const grid = h("div", { class: "stat-grid" });
    for (const f of FIELDS) {
      const value = h("div", { class: "stat-value" });
      this.values.set(f, value);
      grid.append(h("div", { class: "stat", title: f === "Memory" ? "Resident memory of the training worker" : undefined }, h("div", { class: "stat-label" }, f), value));
    }
    this.errorBox.hidden = true;
    this.activationBox.hidden = true;
    this.root.append(grid, this.errorBox, this.activationBox);
  }

  update(state: PageState, now: number): void {
    const run = state.run;
    this.root.hidden = !run.runId;
    if (!run.runId) return;
    // The host's run list knows when a run without an end event has no worker any more.
    const stopped = run.state === "running" && selectedRun(state)?.status === "incomplete";
    const text: Record<Field, string> = {
      State: stopped ? "stopped before the end" : STATE_TEXT[run.state],
      Preset: run.preset ?? "—",
      Backend: run.backend ?? "—",
      Device: run.device ?? "—",
      Memory: formatMb(run.rssMb),
      "Peak memory": formatMb(run.peakRssMb),
      Elapsed: formatDuration(elapsedSec(run, now, !stopped)),
    };
    for (const f of FIELDS) {
      const el = this.values.get(f)!;
      if (el.textContent !== text[f]) el.textContent = text[f];
    }
    const errorKey = run.error ? `${run.error.message}\n${run.error.hint}` : "";
    if (this.errorBox.dataset.key !== errorKey) {
      this.errorBox.dataset.key = errorKey;
      this.errorBox.hidden = !run.error;
      this.errorBox.replaceChildren(...(run.error ? [icon("error"), h("strong", null, ` ${run.error.message}`), h("div", null, run.error.hint)] : []));
    }
    const a = run.activation;
    const activationKey = a ? `${a.activated}\n${a.reason}` : "";
    if (this.activationBox.dataset.key !== activationKey) {
      this.activationBox.dataset.key = activationKey;
      this.activationBox.hidden = !a;
      this.activationBox.replaceChildren(...(a ? [icon(a.activated ? "check" : "info"), h("strong", null, a.activated ? " Activated: completions now come from this run's model." : " Done, not activated."), h("div", null, a.reason)] : []));
    }
  }
}
