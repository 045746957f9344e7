// Confirms the preset before a run, with what it costs in time: what its last run in this
// folder took here when there was one (OUT/stage-speeds.json), else the preset's rough figure
// for a 2-core CPU; the run itself says its measured plan before its first stage.
import * as vscode from "vscode";
import { describePreset, PRESET_TABLE } from "../../core/presets";
import { PRESETS, type PresetName } from "../../core/protocol";
import { lastRunSeconds } from "../../core/runs/stage-speeds";

function estimate(minutes: number): string {
  if (minutes < 1) return "under a minute";
  if (minutes < 90) return `about ${Math.round(minutes)} minutes`;
  return `about ${Math.round(minutes / 60)} hours`;
}

export async function pickPreset(current: PresetName, out: string): Promise<PresetName | undefined> {
  const items = PRESETS.map((name) => {
    const p = PRESET_TABLE[name];
    const last = lastRunSeconds(out, name);
    return {
      label: name,
      description: last ? `${estimate(last.seconds / 60)} here (its last run in this folder)` : `${estimate(p.estimatedCpuMinutes)} on a 2-core CPU${p.gpu ? " (meant for a GPU)" : ""}`,
      // The teacher's shape and what each stage trains, in steps and tokens.
      detail: [1, 3].map((i) => describePreset(p).split("\n")[i]!.trim()).join(" · "),
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
