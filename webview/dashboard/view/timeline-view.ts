// The stage timeline: every stage of the pipeline in order, with what it is doing.
import { STAGES } from "../../../src/core/protocol";
import { formatDuration } from "../model/format";
import type { PageState } from "../model/page-state";
import { stagePercent, type StageState, type StageStatus } from "../model/run-model";
import { h, icon, section } from "./dom";

const ICONS: Record<StageStatus, string> = {
  pending: "circle-large-outline",
  running: "loading",
  done: "pass-filled",
  skipped: "debug-step-over",
  cancelled: "circle-slash",
  failed: "error",
};

const LABELS: Record<string, string> = {
  gather: "Gather files",
  tokenizer: "Tokenizer",
  pretrain: "Pretrain",
  sft: "SFT",
  dpo: "DPO",
  distill: "Distill",
  eval: "Evaluate",
  export: "Export",
  activate: "Activate",
};

export class TimelineView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    ({ root: this.root, body: this.body } = section("timeline", "Stages"));
  }

  update(state: PageState): void {
    const run = state.run;
    if (!run.runId && state.runs.length === 0) {
      this.body.replaceChildren(h("p", { class: "muted" }, "No run yet. Pick a preset and press “Fine-tune on this repo”."));
      return;
    }
    const finished = run.state !== "running" && run.state !== "idle";
    this.body.replaceChildren(h("ol", { class: "timeline" }, ...STAGES.map((name) => item(run.stages[name], finished))));
  }
}

function item(st: StageState, finished: boolean): HTMLElement {
  // A stage a finished run never reached did not run: say so instead of "pending".
  const status = st.status;
  const notRun = status === "pending" && finished;
  const percent = stagePercent(st);
  let detail: string;
  switch (status) {
    case "running":
      detail = [percent !== null ? `${percent.toFixed(0)}%` : "running", st.totalSteps > 0 ? `step ${st.step}/${st.totalSteps}` : "", st.etaSec !== null ? `ETA ${formatDuration(st.etaSec)}` : ""].filter(Boolean).join(" · ");
      break;
    case "done":
      detail = `done in ${formatDuration(st.durationSec)}`;
      break;
    case "skipped":
      detail = `skipped: ${st.reason ?? "no reason given"}`;
      break;
    case "cancelled":
      detail = `cancelled at step ${st.step}${st.totalSteps ? `/${st.totalSteps}` : ""}`;
      break;
    case "failed":
      detail = `failed${st.reason ? `: ${st.reason}` : ""}`;
      break;
    default:
      detail = notRun ? "not run" : "pending";
  }
  const li = h(
    "li",
    { class: `stage ${status}${notRun ? " not-run" : ""}`, "aria-label": `${LABELS[st.name] ?? st.name}: ${detail}` },
    icon(ICONS[status], status === "running" ? "codicon-modifier-spin" : ""),
    h("span", { class: "stage-name" }, LABELS[st.name] ?? st.name),
    h("span", { class: "stage-detail" }, detail),
  );
  if (status === "running" && percent !== null) {
    const bar = document.createElement("vscode-progress-bar");
    bar.setAttribute("value", percent.toFixed(1));
    bar.setAttribute("max", "100");
    bar.setAttribute("aria-label", `${LABELS[st.name] ?? st.name} progress`);
    li.append(bar);
  }
  return li;
}
