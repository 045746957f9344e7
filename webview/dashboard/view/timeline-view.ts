// The stage timeline: every stage of the pipeline in order, with what it is doing.
import { STAGES, type StageName } from "../../../src/core/protocol";
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
  rl: "RL (RLOO)",
  distill: "Distill",
  eval: "Evaluate",
  export: "Export",
  activate: "Activate",
};

interface StageRow {
  li: HTMLElement;
  icon: HTMLElement;
  detail: HTMLElement;
  bar: HTMLElement;
}

export class TimelineView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly empty = h("p", { class: "muted" }, "No run yet. Pick a preset and press “Fine-tune on this repo”.");
  private readonly list: HTMLElement;
  private readonly rows = new Map<StageName, StageRow>();

  constructor() {
    ({ root: this.root, body: this.body } = section("timeline", "Stages"));
    // Rows are built once and updated in place: a live run updates them several times a
    // second, and rebuilding would recreate the progress bar's shadow DOM each time.
    this.list = h("ol", { class: "timeline" });
    for (const name of STAGES) {
      const iconEl = icon("circle-large-outline");
      const detail = h("span", { class: "stage-detail" });
      const bar = document.createElement("vscode-progress-bar");
      bar.setAttribute("max", "100");
      bar.setAttribute("aria-label", `${LABELS[name] ?? name} progress`);
      bar.hidden = true;
      const li = h("li", { class: "stage pending" }, iconEl, h("span", { class: "stage-name" }, LABELS[name] ?? name), detail, bar);
      this.rows.set(name, { li, icon: iconEl, detail, bar });
      this.list.append(li);
    }
    this.body.append(this.empty, this.list);
  }

  update(state: PageState): void {
    const run = state.run;
    const none = !run.runId && state.runs.length === 0;
    this.empty.hidden = !none;
    this.list.hidden = none;
    const finished = run.state !== "running" && run.state !== "idle";
    for (const name of STAGES) updateRow(this.rows.get(name)!, run.stages[name], finished);
  }
}

function updateRow(row: StageRow, st: StageState, finished: boolean): void {
  const { status, detail, percent, notRun } = describeStage(st, finished);
  setIf(row.li, "className", `stage ${status}${notRun ? " not-run" : ""}`);
  setIf(row.icon, "className", `codicon codicon-${ICONS[status]}${status === "running" ? " codicon-modifier-spin" : ""}`);
  setIf(row.detail, "textContent", detail);
  const label = `${LABELS[st.name] ?? st.name}: ${detail}`;
  if (row.li.getAttribute("aria-label") !== label) row.li.setAttribute("aria-label", label);
  const showBar = status === "running" && percent !== null;
  if (row.bar.hidden === showBar) row.bar.hidden = !showBar;
  if (showBar) {
    const value = (percent as number).toFixed(1);
    if (row.bar.getAttribute("value") !== value) row.bar.setAttribute("value", value);
  }
}

function setIf<K extends "className" | "textContent">(el: HTMLElement, key: K, value: string): void {
  if (el[key] !== value) el[key] = value;
}

/** The plan's word on a stage that has not started: tokens it trains, and its estimate on this machine. */
function planned(st: StageState): string {
  if (!st.plan) return "";
  const tokens = `${st.plan.tokens.toLocaleString("en-US")} tokens`;
  return st.plan.estimateSec === null ? `${tokens}, time not measured here yet` : `${tokens}, about ${formatDuration(st.plan.estimateSec)}`;
}

/** What one stage's row says: a stage a finished run never reached did not run. */
export function describeStage(st: StageState, finished: boolean): { status: StageStatus; detail: string; percent: number | null; notRun: boolean } {
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
      detail = notRun ? "not run" : ["pending", planned(st)].filter(Boolean).join(" · ");
  }
  return { status, detail, percent, notRun };
}
