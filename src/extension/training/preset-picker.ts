// Confirms the preset before a run, with what it costs in time.
import * as vscode from "vscode";
import { describePreset, PRESET_TABLE } from "../../core/presets";
import { PRESETS, type PresetName } from "../../core/protocol";

function estimate(minutes: number): string {
  if (minutes < 1) return "under a minute";
  if (minutes < 90) return `about ${Math.round(minutes)} minutes`;
  return `about ${Math.round(minutes / 60)} hours`;
}

export async function pickPreset(current: PresetName): Promise<PresetName | undefined> {
  const items = PRESETS.map((name) => {
    const p = PRESET_TABLE[name];
    return {
      label: name,
      description: `${estimate(p.estimatedCpuMinutes)} on a 2-core CPU${p.gpu ? " (meant for a GPU)" : ""}`,
      detail: describePreset(p).split("\n").slice(1, 3).map((l) => l.trim()).join(" · "),
      picked: name === current,
    };
  });
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const choice = await vscode.window.showQuickPick(items, {
    title: "RepoTune: Fine-tune on this repo",
    placeHolder: `Preset (setting repotune.preset is "${current}")`,
    ignoreFocusOut: true,
  });
  return choice?.label;
}
