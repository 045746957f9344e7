// "RepoTune: Export model", "RepoTune: Export dataset" and "Use this run's model": copies
// of what a run made, to where the user wants them (for llama.cpp, Ollama, TRL, a GPU box).
import { cpSync, existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import * as vscode from "vscode";
import { writeActiveModel } from "../../core/runs/active-model";
import { runArtifacts, runServing } from "../../core/runs/run-artifacts";
import { latestRunId } from "../../core/runs/run-layout";
import { readRunRecord } from "../../core/runs/run-record";
import { DATASET_FOLDER } from "../../core/store/dataset-files";
import { exportDatasetFolder } from "../../core/formats/hf-dataset/export-dataset";
import { feedbackPaths } from "../../core/feedback/feedback-log";
import { chooseDataFolder } from "./folder-choice";

interface ExportArgs {
  format?: "gguf" | "hf";
  runId?: string;
}

function args(raw: unknown): ExportArgs {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  return {
    format: r.format === "gguf" || r.format === "hf" ? r.format : undefined,
    runId: typeof r.runId === "string" && /^[\w.-]+$/.test(r.runId) && r.runId !== ".." ? r.runId : undefined,
  };
}

/** The asked-for run, or the newest finished one. */
function finishedRun(out: string, runId: string | undefined): string | undefined {
  const id = runId ?? latestRunId(out);
  if (id && readRunRecord(out, id)?.status === "done") return id;
  if (runId) return undefined;
  const runs = existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).filter((d) => d !== "latest").sort().reverse() : [];
  return runs.find((r) => readRunRecord(out, r)?.status === "done");
}

export async function exportModel(context: vscode.ExtensionContext, raw: unknown): Promise<string | undefined> {
  const a = args(raw);
  const where = await chooseDataFolder(context, "Export the model of which folder?");
  if (!where) return undefined;
  const runId = finishedRun(where.out, a.runId);
  if (!runId) {
    void vscode.window.showInformationMessage("RepoTune: no finished run to export yet. Fine-tune on this repo first.");
    return undefined;
  }
  const format =
    a.format ??
    (
      await vscode.window.showQuickPick(
        [
          { label: "GGUF", description: "the distilled student, for llama.cpp, Ollama, LM Studio", value: "gguf" as const },
          { label: "Hugging Face folder", description: "config.json, model.safetensors, tokenizer.json (transformers, TRL)", value: "hf" as const },
        ],
        { title: `RepoTune: Export model of run ${runId}` },
      )
    )?.value;
  if (!format) return undefined;
  if (format === "gguf") {
    const serving = runServing(where.out, runId, "student") ?? runServing(where.out, runId, "teacher");
    if (!serving) {
      void vscode.window.showWarningMessage(`RepoTune: run ${runId} has no GGUF model on disk any more.`);
      return undefined;
    }
    if (serving.lora) {
      // A LoRA run's model is its adapter over the user's base, which stays where it is.
      const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(where.folder.uri.fsPath, `repotune-${runId}-lora.gguf`)), filters: { GGUF: ["gguf"] } });
      if (!target) return undefined;
      cpSync(serving.lora, target.fsPath);
      void vscode.window.showInformationMessage(`RepoTune: LoRA adapter exported to ${target.fsPath}; it applies over the base ${serving.gguf} (llama.cpp: -m BASE --lora ADAPTER).`);
      return target.fsPath;
    }
    const source = serving.gguf;
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(where.folder.uri.fsPath, `repotune-${runId}.gguf`)), filters: { GGUF: ["gguf"] } });
    if (!target) return undefined;
    cpSync(source, target.fsPath);
    void vscode.window.showInformationMessage(`RepoTune: model exported to ${target.fsPath}`);
    return target.fsPath;
  }
  const checkpoint = runArtifacts(where.out, runId)?.student;
  if (!checkpoint || !existsSync(checkpoint)) {
    void vscode.window.showWarningMessage(`RepoTune: the Hugging Face checkpoint of run ${runId} is no longer on disk (a later run replaced it); export GGUF instead.`);
    return undefined;
  }
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: "Export here", title: "Folder to put the Hugging Face model in" });
  if (!picked?.[0]) return undefined;
  const target = join(picked[0].fsPath, `repotune-${runId}`);
  cpSync(checkpoint, target, { recursive: true, filter: (src) => !/optimizer\.safetensors$|trainer_state\.json$/.test(src) });
  void vscode.window.showInformationMessage(`RepoTune: model exported to ${target}`);
  return target;
}

export async function exportDataset(context: vscode.ExtensionContext): Promise<string | undefined> {
  const where = await chooseDataFolder(context, "Export the dataset of which folder?");
  if (!where) return undefined;
  const dataset = join(where.out, DATASET_FOLDER);
  if (!existsSync(join(dataset, "manifest.json"))) {
    void vscode.window.showInformationMessage("RepoTune: no dataset yet. Fine-tune on this repo first (it gathers the dataset).");
    return undefined;
  }
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: "Export here", title: "Folder to put the dataset in (JSON Lines for TRL and datasets)" });
  if (!picked?.[0]) return undefined;
  const target = join(picked[0].fsPath, `repotune-dataset-${basename(where.folder.uri.fsPath)}`);
  const events = feedbackPaths(where.out).events;
  const r = exportDatasetFolder({ datasetDir: dataset, ...(existsSync(events) ? { feedbackEvents: events } : {}), outDir: target });
  const rows = r.configs.map((c) => `${c.config} ${c.rows}`).join(", ");
  void vscode.window.showInformationMessage(`RepoTune: dataset exported to ${target} (${rows}; README.md describes it).`);
  return target;
}

export async function useRunModel(context: vscode.ExtensionContext, raw: unknown): Promise<void> {
  const where = await chooseDataFolder(context, "Use a model for which folder?");
  if (!where) return;
  const runId = finishedRun(where.out, args(raw).runId);
  const role = runId && runServing(where.out, runId, "student") ? "student" : "teacher";
  const serving = runId ? runServing(where.out, runId, role) : undefined;
  if (!runId || !serving) {
    void vscode.window.showWarningMessage("RepoTune: that run has no model on disk to use.");
    return;
  }
  writeActiveModel(where.out, { ...serving, runId, role, pinned: true });
  void vscode.window.showInformationMessage(`RepoTune: completions now come from run ${runId}.`);
}
