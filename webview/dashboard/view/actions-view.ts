// The action bar. Every button posts one action message; the host runs the matching command
// and says so in a notice if this build has none. Buttons that make no sense for the run
// shown (Cancel with nothing running, Export before the run finished) are disabled.
import { PRESETS, type DashboardAction, type ExportFormat, type PresetName } from "../../../src/core/protocol";
import { selectedRun, type PageState } from "../model/page-state";
import { h } from "./dom";

export interface ActionsHost {
  act(action: DashboardAction): void;
  preset: PresetName;
  exportFormat: ExportFormat;
  setPreset(preset: PresetName): void;
  setExportFormat(format: ExportFormat): void;
}

const PRESET_HINTS: Record<PresetName, string> = {
  micro: "micro: for tests, well under a minute",
  tiny: "tiny: the CPU default, minutes",
  small: "small: CPU, under an hour",
  base: "base: for a GPU",
};

export class ActionsView {
  readonly root: HTMLElement;
  private readonly buttons = new Map<DashboardAction, HTMLElement>();
  private readonly presetSelect = document.createElement("vscode-single-select");
  private readonly formatSelect = document.createElement("vscode-single-select");
  private presetTouched = false;

  constructor(private readonly host: ActionsHost) {
    this.presetSelect.id = "preset";
    this.presetSelect.setAttribute("aria-label", "Preset");
    this.presetSelect.append(...PRESETS.map((p) => option(p, PRESET_HINTS[p], p === host.preset)));
    this.presetSelect.addEventListener("change", () => {
      this.presetTouched = true;
      const value = this.presetSelect.value;
      if ((PRESETS as readonly string[]).includes(value)) host.setPreset(value as PresetName);
    });
    this.formatSelect.id = "export-format";
    this.formatSelect.setAttribute("aria-label", "Export format");
    this.formatSelect.append(option("gguf", "GGUF (llama.cpp)", host.exportFormat === "gguf"), option("hf", "Hugging Face", host.exportFormat === "hf"));
    this.formatSelect.addEventListener("change", () => {
      const value = this.formatSelect.value;
      if (value === "gguf" || value === "hf") host.setExportFormat(value);
    });

    const start = h("div", { class: "action-group", role: "group", "aria-label": "Training" }, h("label", { class: "label", for: "preset" }, "Preset"), this.presetSelect, this.button("fineTune", "Fine-tune on this repo", "play"), this.button("cancelTraining", "Cancel", "debug-stop", true), this.button("resume", "Resume", "debug-continue", true));
    const model = h("div", { class: "action-group", role: "group", "aria-label": "Model and data" }, h("label", { class: "label", for: "export-format" }, "Format"), this.formatSelect, this.button("exportModel", "Export model", "package", true), this.button("useModel", "Use this run's model", "check", true), this.button("exportDataset", "Export dataset", "database", true));
    const more = h("div", { class: "action-group", role: "group", "aria-label": "Files" }, this.button("openDataFolder", "Open data folder", "folder-opened", true), this.button("showLog", "Show log", "output", true));
    this.root = h("nav", { class: "actions", "aria-label": "Actions" }, start, model, more);
  }

  private button(action: DashboardAction, label: string, iconName: string, secondary = false): HTMLElement {
    const b = document.createElement("vscode-button");
    b.textContent = label;
    b.setAttribute("icon", iconName);
    b.dataset.action = action;
    if (secondary) b.setAttribute("secondary", "");
    b.addEventListener("click", () => {
      if (!b.hasAttribute("disabled")) this.host.act(action);
    });
    this.buttons.set(action, b);
    return b;
  }

  update(state: PageState): void {
    const o = state.overview;
    const trusted = o?.trusted !== false;
    const run = selectedRun(state);
    const running = o?.running === true || state.run.state === "running" || run?.status === "running";
    const finished = run?.status === "done" || state.run.state === "done";
    const resumable = run !== undefined && (run.status === "cancelled" || run.status === "failed" || run.status === "incomplete");
    // The setting's preset is the default until the user picks one here.
    if (!this.presetTouched && o?.defaultPreset && o.defaultPreset !== this.host.preset) {
      this.host.setPreset(o.defaultPreset);
      this.presetSelect.value = o.defaultPreset;
    }
    this.enable("fineTune", trusted && !running);
    this.enable("cancelTraining", running);
    this.enable("resume", trusted && !running && resumable);
    this.enable("exportModel", finished);
    this.enable("useModel", finished);
    this.enable("exportDataset", trusted && run !== undefined);
    this.enable("openDataFolder", true);
    this.enable("showLog", true);
  }

  private enable(action: DashboardAction, on: boolean): void {
    const b = this.buttons.get(action);
    if (!b) return;
    b.toggleAttribute("disabled", !on);
  }
}

function option(value: string, label: string, selected: boolean): HTMLElement {
  const o = document.createElement("vscode-option");
  o.setAttribute("value", value);
  o.textContent = label;
  if (selected) o.setAttribute("selected", "");
  return o;
}
