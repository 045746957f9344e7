// The title, the workspace, the run picker and the run's state in one line.
import type { RunInfo } from "../../../src/core/protocol";
import type { PageState } from "../model/page-state";
import { h } from "./dom";

const STATUS_TEXT: Record<RunInfo["status"], string> = {
  running: "running",
  done: "finished",
  failed: "failed",
  cancelled: "cancelled",
  incomplete: "stopped before the end",
};

export function runLabel(run: RunInfo): string {
  const when = run.startedAt ? new Date(run.startedAt).toLocaleString() : run.id;
  return `${when} · ${run.preset ?? "?"} · ${STATUS_TEXT[run.status]}`;
}

export class HeaderView {
  readonly root: HTMLElement;
  private readonly workspace = h("span", { class: "muted" });
  private readonly picker = document.createElement("vscode-single-select");
  private readonly pickerWrap: HTMLElement;
  private readonly message = h("p", { class: "message" });
  private runsKey = "";

  constructor(onSelect: (runId: string) => void) {
    this.picker.id = "run-picker";
    this.picker.setAttribute("aria-label", "Run");
    this.picker.addEventListener("change", () => {
      const value = this.picker.value;
      if (value) onSelect(value);
    });
    this.pickerWrap = h("label", { class: "picker", for: "run-picker" }, h("span", { class: "label" }, "Run"), this.picker);
    this.root = h(
      "header",
      { class: "page-header" },
      h("div", { class: "title-row" }, h("h1", null, "RepoTune"), this.workspace),
      h("div", { class: "run-row" }, this.pickerWrap),
      this.message,
    );
  }

  update(state: PageState): void {
    const o = state.overview;
    this.workspace.textContent = o ? `${o.workspaceName}${o.activeModel ? ` · serving ${o.activeModel}` : ""}` : "";
    this.message.textContent = state.runs.length === 0 && o ? o.message : o && !o.trusted ? o.message : "";
    this.message.className = o && !o.trusted ? "message notice warn" : "message muted";
    this.pickerWrap.hidden = state.runs.length === 0;
    const key = JSON.stringify([state.runs, state.selected]);
    if (key === this.runsKey) return;
    this.runsKey = key;
    // Options are rebuilt only when the list changes, so a live run does not steal focus.
    this.picker.replaceChildren(
      ...state.runs.map((run) => {
        const option = document.createElement("vscode-option");
        option.setAttribute("value", run.id);
        option.textContent = runLabel(run);
        if (run.id === state.selected) option.setAttribute("selected", "");
        return option;
      }),
    );
    if (state.selected) this.picker.value = state.selected;
  }
}
