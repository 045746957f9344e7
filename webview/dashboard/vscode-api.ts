// The page's side of the webview API: messages to the host (validated before they leave,
// so a bug here shows up in the page's console instead of as a refused message) and the
// small UI state VS Code keeps across reloads.
import { EXPORT_FORMATS, parseDashboardRequest, PRESETS, type DashboardRequest, type ExportFormat, type PresetName } from "../../src/core/protocol";

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the page remembers across a reload; the run's data comes again from the host. */
export interface UiState {
  runId: string | null;
  preset: PresetName;
  exportFormat: ExportFormat;
  excludedOpen: boolean;
}

const api = acquireVsCodeApi();

export function post(message: DashboardRequest): void {
  try {
    api.postMessage(parseDashboardRequest(message));
  } catch (err) {
    console.error(`RepoTune dashboard: refused to send a malformed message: ${(err as Error).message}`);
  }
}

/** The saved state, or defaults for anything missing or from another version. */
export function loadUiState(): UiState {
  const raw = api.getState();
  const s = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    runId: typeof s.runId === "string" && /^(?!\.{1,2}$)[\w.-]{1,128}$/.test(s.runId) ? s.runId : null,
    preset: (PRESETS as readonly unknown[]).includes(s.preset) ? (s.preset as PresetName) : "tiny",
    exportFormat: (EXPORT_FORMATS as readonly unknown[]).includes(s.exportFormat) ? (s.exportFormat as ExportFormat) : "gguf",
    excludedOpen: s.excludedOpen === true,
  };
}

export function saveUiState(state: UiState): void {
  api.setState(state);
}
