// Everything the page shows, and which parts of it an update from the host changes.
// Pure (no DOM), so the tests drive it with the same messages the host sends.
import type { DashboardOverview, DashboardUpdate, DatasetSummary, FeedbackSummary, RunInfo, RunReport } from "../../../src/core/protocol";
import { applyEvent, createRunModel, type RunModel } from "./run-model";

export type Section = "header" | "actions" | "timeline" | "stats" | "charts" | "eval" | "samples" | "dataset" | "feedback" | "log" | "notices";
export const ALL_SECTIONS: readonly Section[] = ["header", "actions", "timeline", "stats", "charts", "eval", "samples", "dataset", "feedback", "log", "notices"];

export interface Notice {
  id: number;
  level: "info" | "warn" | "error";
  text: string;
}

export interface PageState {
  overview: DashboardOverview | null;
  runs: RunInfo[];
  selected: string | null;
  /** The run whose events `run` holds (may lag `selected` until its replay arrives). */
  runId: string | null;
  run: RunModel;
  report: RunReport | null;
  dataset: DatasetSummary | null;
  feedback: FeedbackSummary | null;
  notices: Notice[];
  nextNoticeId: number;
}

const MAX_NOTICES = 5;

export function createPageState(): PageState {
  return {
    overview: null,
    runs: [],
    selected: null,
    runId: null,
    run: createRunModel(),
    report: null,
    dataset: null,
    feedback: null,
    notices: [],
    nextNoticeId: 1,
  };
}

/** Applies one validated update; returns the sections to redraw. */
export function applyUpdate(state: PageState, update: DashboardUpdate): Set<Section> {
  const dirty = new Set<Section>();
  switch (update.type) {
    case "overview":
      state.overview = update;
      add(dirty, "header", "actions", "stats");
      break;
    case "runs":
      state.runs = update.runs;
      if (update.selected !== state.selected) {
        // report and dataset belong to a run: the host sends the new run's right after.
        state.report = null;
        state.dataset = null;
        add(dirty, "eval", "dataset");
      }
      state.selected = update.selected;
      if (update.selected === null) {
        resetRun(state, null);
        ALL_SECTIONS.forEach((s) => dirty.add(s));
      }
      add(dirty, "header", "actions");
      break;
    case "events": {
      if (update.reset || update.runId !== state.runId) {
        // A batch for another run without a reset is a leftover of the previous selection.
        if (!update.reset) break;
        resetRun(state, update.runId);
        ALL_SECTIONS.forEach((s) => dirty.add(s));
      }
      for (const event of update.events) {
        applyEvent(state.run, event);
        switch (event.type) {
          case "progress":
            add(dirty, "timeline", "stats", "charts");
            break;
          case "eval":
            add(dirty, "charts", "eval");
            break;
          case "sample":
            dirty.add("samples");
            break;
          case "log":
            dirty.add("log");
            break;
          default:
            add(dirty, "timeline", "stats", "actions", "log", "header", "charts");
        }
      }
      break;
    }
    case "report":
      if (update.runId === state.selected) {
        state.report = update.report;
        dirty.add("eval");
      }
      break;
    case "dataset":
      if (update.runId === state.selected) {
        state.dataset = update.dataset;
        dirty.add("dataset");
      }
      break;
    case "feedback":
      state.feedback = update.feedback;
      dirty.add("feedback");
      break;
    case "notice":
      state.notices.push({ id: state.nextNoticeId++, level: update.level, text: update.text });
      if (state.notices.length > MAX_NOTICES) state.notices.splice(0, state.notices.length - MAX_NOTICES);
      dirty.add("notices");
      break;
  }
  return dirty;
}

function resetRun(state: PageState, runId: string | null): void {
  state.runId = runId;
  state.run = createRunModel();
}

export function dismissNotice(state: PageState, id: number): void {
  state.notices = state.notices.filter((n) => n.id !== id);
}

/** The picker's entry of the run shown, if the host listed it. */
export function selectedRun(state: PageState): RunInfo | undefined {
  return state.runs.find((r) => r.id === state.selected);
}

function add(set: Set<Section>, ...sections: Section[]): void {
  for (const s of sections) set.add(s);
}
