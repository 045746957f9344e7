// The dashboard page: it draws what the extension host sends (validated first) and asks the
// host to act. It never touches the file system: runs, reports and manifests come as messages.
import "uplot/dist/uPlot.min.css";
import "./dashboard.css";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-collapsible/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import { parseDashboardUpdate, PROTOCOL_VERSION, type DashboardAction } from "../../src/core/protocol";
import { applyUpdate, createPageState, dismissNotice, type Section } from "./model/page-state";
import { Renderer } from "./renderer";
import { ActionsView } from "./view/actions-view";
import { ChartsView } from "./view/charts-view";
import { DatasetView } from "./view/dataset-view";
import { h } from "./view/dom";
import { EvalView } from "./view/eval-view";
import { FeedbackView } from "./view/feedback-view";
import { HeaderView } from "./view/header-view";
import { LogView } from "./view/log-view";
import { NoticesView } from "./view/notices-view";
import { SamplesView } from "./view/samples-view";
import { StatsView } from "./view/stats-view";
import { onThemeChange, readChartTheme } from "./view/theme";
import { TimelineView } from "./view/timeline-view";
import { loadUiState, post, saveUiState } from "./vscode-api";

const ui = loadUiState();
const state = createPageState();
const theme = readChartTheme();

const header = new HeaderView((runId) => {
  ui.runId = runId;
  saveUiState(ui);
  post({ v: PROTOCOL_VERSION, type: "selectRun", runId });
});
const notices = new NoticesView((id) => {
  dismissNotice(state, id);
  renderer.mark(["notices"]);
});
const actions = new ActionsView({
  get preset() {
    return ui.preset;
  },
  get exportFormat() {
    return ui.exportFormat;
  },
  setPreset(preset) {
    ui.preset = preset;
    saveUiState(ui);
  },
  setExportFormat(format) {
    ui.exportFormat = format;
    saveUiState(ui);
  },
  act(action: DashboardAction) {
    const runId = state.selected ?? undefined;
    post({ v: PROTOCOL_VERSION, type: "action", action, preset: ui.preset, format: ui.exportFormat, ...(runId ? { runId } : {}) });
  },
});
const stats = new StatsView();
const timeline = new TimelineView();
const charts = new ChartsView(theme);
const evaluation = new EvalView();
const samples = new SamplesView();
const dataset = new DatasetView(
  () => ui.excludedOpen,
  (open) => {
    ui.excludedOpen = open;
    saveUiState(ui);
  },
);
const feedback = new FeedbackView(theme);
const log = new LogView();

const draw: Record<Section, () => void> = {
  header: () => header.update(state),
  notices: () => notices.update(state),
  actions: () => actions.update(state),
  stats: () => stats.update(state, Date.now()),
  timeline: () => timeline.update(state),
  charts: () => charts.update(state),
  eval: () => evaluation.update(state),
  samples: () => samples.update(state),
  dataset: () => dataset.update(state),
  feedback: () => feedback.update(state),
  log: () => log.update(state),
};
const renderer = new Renderer((section) => draw[section]());

const app = document.getElementById("app") as HTMLElement;
app.replaceChildren(
  header.root,
  notices.root,
  actions.root,
  h("div", { class: "layout" }, h("div", { class: "side" }, stats.root, timeline.root), charts.root),
  evaluation.root,
  samples.root,
  h("div", { class: "layout-2" }, dataset.root, feedback.root),
  log.root,
);
renderer.mark(Object.keys(draw) as Section[]);

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  let update;
  try {
    update = parseDashboardUpdate(event.data);
  } catch (err) {
    console.warn(`RepoTune dashboard ignored a message: ${(err as Error).message}`);
    return;
  }
  renderer.mark(applyUpdate(state, update));
  if (update.type === "runs" && update.selected !== ui.runId) {
    ui.runId = update.selected;
    saveUiState(ui);
  }
});

onThemeChange(() => {
  const t = readChartTheme();
  charts.setTheme(t);
  feedback.setTheme(t);
});

// The elapsed time of a running run ticks without new events.
setInterval(() => {
  if (state.run.state === "running") renderer.mark(["stats"]);
}, 1000);

// Ask for the run shown before the reload; the host falls back to the newest.
post({ v: PROTOCOL_VERSION, type: "ready", ...(ui.runId ? { runId: ui.runId } : {}) });
saveUiState(ui);
