// The dashboard page. It draws what the extension host sends and asks the host to act;
// it never trusts a message it has not validated.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-divider/index.js";
import { parseDashboardUpdate, PROTOCOL_VERSION, type DashboardAction, type DashboardRequest, type DashboardUpdate } from "../../src/core/protocol";

interface VsCodeApi {
  postMessage(message: DashboardRequest): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById("app") as HTMLElement;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

function actionButton(label: string, action: DashboardAction, icon: string, secondary = false): HTMLElement {
  const button = document.createElement("vscode-button");
  button.textContent = label;
  button.setAttribute("icon", icon);
  if (secondary) button.setAttribute("secondary", "");
  button.addEventListener("click", () => vscode.postMessage({ v: PROTOCOL_VERSION, type: "action", action }));
  return button;
}

function render(update: DashboardUpdate): void {
  app.replaceChildren();
  app.append(element("h1", "RepoTune"));
  app.append(element("p", `Workspace: ${update.workspaceName}`, "muted"));
  app.append(element("p", update.message, update.trusted ? "" : "notice"));
  app.append(element("p", update.activeModel ? `Model serving completions: ${update.activeModel}` : "No model serves completions yet."));
  const actions = element("div", undefined, "actions");
  actions.append(
    actionButton("Fine-tune on this repo", "fineTune", "play"),
    actionButton("Cancel training", "cancelTraining", "debug-stop", true),
    actionButton("Show log", "showLog", "output", true),
  );
  app.append(document.createElement("vscode-divider"), actions);
  vscode.setState(update);
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  try {
    render(parseDashboardUpdate(event.data));
  } catch (err) {
    console.warn(`RepoTune dashboard ignored a message: ${(err as Error).message}`);
  }
});

// After a reload, draw the last state at once, then ask the host for a fresh one.
const saved = vscode.getState();
if (saved) {
  try {
    render(parseDashboardUpdate(saved));
  } catch {
    // a state saved by another version: wait for the host
  }
}
vscode.postMessage({ v: PROTOCOL_VERSION, type: "ready" });
