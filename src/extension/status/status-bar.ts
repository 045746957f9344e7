// The RepoTune status bar item: what is running or which model serves completions,
// and a click that leads to the next useful step.
import * as vscode from "vscode";
import { COMMANDS } from "../settings/command-ids";

export interface StatusState {
  completionsEnabled: boolean;
  /** The model serving completions, or undefined before the first fine-tune. */
  activeModel?: string;
  training?: { stage: string; percent: number };
  lastLatencyMs?: number;
  /** Share of shown completions accepted (partial ones count half), with the counts. */
  acceptance?: { rate: number | null; accepted: number; shown: number };
  /** The serving filter's replies since the extension started: suggestions judged, and held back. */
  filter?: { judged: number; heldBack: number };
  /** Why completions stopped (the server crashed too often), until the user tries again. */
  stopped?: string;
}

export class RepoTuneStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("repotune.status", vscode.StatusBarAlignment.Right, 100);
  private state: StatusState;

  constructor(initial: StatusState) {
    this.item.name = "RepoTune";
    this.state = initial;
    this.render();
    this.item.show();
  }

  update(patch: Partial<StatusState>): void {
    this.state = { ...this.state, ...patch };
    this.render();
  }

  private render(): void {
    const s = this.state;
    if (s.stopped && !s.training) {
      this.item.text = "$(error) RepoTune: completions stopped";
      this.item.tooltip = `${s.stopped.charAt(0).toUpperCase()}${s.stopped.slice(1)}. Click to open the log.`;
      this.item.command = COMMANDS.showLog;
    } else if (s.training) {
      this.item.text = `$(sync~spin) RepoTune: ${s.training.stage} ${Math.round(s.training.percent)}%`;
      this.item.tooltip = "RepoTune is training. Click to open the dashboard.";
      this.item.command = COMMANDS.openDashboard;
    } else if (!s.activeModel) {
      this.item.text = "$(sparkle) RepoTune: no model";
      this.item.tooltip = "No model yet. Click to fine-tune a model on this repository.";
      this.item.command = COMMANDS.fineTune;
    } else {
      const latency = s.lastLatencyMs === undefined ? "" : ` ${Math.round(s.lastLatencyMs)} ms`;
      this.item.text = `${s.completionsEnabled ? "$(sparkle)" : "$(circle-slash)"} RepoTune${latency}`;
      const a = s.acceptance;
      const rate = a && a.rate !== null ? `\nAccepted ${Math.round(a.rate * 100)}% of ${a.shown} completions shown` : "";
      const last = s.lastLatencyMs === undefined ? "" : `\nLast completion: ${Math.round(s.lastLatencyMs)} ms`;
      const held = s.filter && s.filter.judged > 0 ? `\n${s.filter.heldBack} of ${s.filter.judged} suggestions held back by the filter` : "";
      this.item.tooltip = `Model: ${s.activeModel}${last}${rate}${held}\nCompletions ${s.completionsEnabled ? "on" : "off"}. Click to toggle.`;
      this.item.command = COMMANDS.toggleCompletions;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
