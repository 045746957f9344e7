// "RepoTune: Choose base model": a quick pick of the bases found on this machine, those that
// can be downloaded, a file or folder to browse for, and training from scratch. The choice is
// stored in repotune.baseModel (user settings: a model on disk is the machine's, not the repo's).
import * as vscode from "vscode";
import { CATALOG, catalogPath, findModels, formatBytes, repotuneModelsFolder, type CatalogModel, type FoundModel } from "../../hub";
import { SETTINGS_SECTION } from "../settings/config";
import { downloadBase } from "./download-base";

type Choice = vscode.QuickPickItem & ({ kind?: undefined; value: { found: FoundModel } | { download: CatalogModel } | "browse" | "none" } | { kind: vscode.QuickPickItemKind.Separator });

const SOURCE_LABEL: Record<FoundModel["source"], string> = {
  huggingface: "Hugging Face cache",
  "llama.cpp": "llama.cpp cache",
  "lm-studio": "LM Studio",
  ollama: "Ollama",
  "node-llama-cpp": "node-llama-cpp",
  repotune: "RepoTune",
  path: "path",
};

function describe(m: FoundModel): string {
  const params = m.parameters === null ? "" : `${(m.parameters / 1e9).toFixed(2)}B · `;
  return `${params}${m.quantisation ?? "?"} · ${formatBytes(m.fileBytes)} · ${SOURCE_LABEL[m.source]}${m.canTrain ? "" : " · serves only"}`;
}

function choices(current: string): Choice[] {
  const found = findModels().filter((m) => m.canServe);
  const folder = repotuneModelsFolder();
  const have = new Set(found.map((m) => m.path));
  const downloads = CATALOG.filter((c) => !have.has(catalogPath(c, folder)));
  const sep = (label: string): Choice => ({ label, kind: vscode.QuickPickItemKind.Separator });
  return [
    ...(found.length ? [sep("on this machine"), ...found.map((m): Choice => ({ label: m.name, description: describe(m), detail: m.path, picked: m.name === current || m.path === current, value: { found: m } }))] : []),
    ...(downloads.length ? [sep("download"), ...downloads.map((c): Choice => ({ label: `$(cloud-download) ${c.name}`, description: `${c.title} · ${formatBytes(c.approxBytes)}`, detail: `${c.repo}/${c.file}`, value: { download: c } }))] : []),
    sep("other"),
    { label: "$(folder-opened) Browse…", description: "a .gguf file or a Hugging Face model folder", value: "browse" },
    { label: "$(circle-slash) No base: train from scratch", description: "completes poorly until trained; not recommended", value: "none" },
  ];
}

/** Shows the pick; returns the new setting value, or undefined when dismissed. */
export async function chooseBase(log: vscode.LogOutputChannel, onChanged: () => void): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const current = config.get<string>("baseModel") ?? "";
  const pick = await vscode.window.showQuickPick(choices(current), { title: "RepoTune: base model", placeHolder: current ? `now: ${current}` : "a pretrained code model to start from and complete with", matchOnDescription: true });
  if (!pick || pick.kind === vscode.QuickPickItemKind.Separator) return undefined;
  let value: string | undefined;
  if (pick.value === "none") value = "";
  else if (pick.value === "browse") {
    const uri = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: "Use as base model", filters: { "GGUF model": ["gguf"], "All files": ["*"] } });
    value = uri?.[0]?.fsPath;
  } else if ("found" in pick.value) value = pick.value.found.path;
  else value = (await downloadBase(pick.value.download, log)) ? pick.value.download.name : undefined;
  if (value === undefined) return undefined;
  await config.update("baseModel", value, vscode.ConfigurationTarget.Global);
  onChanged();
  void vscode.window.showInformationMessage(value ? `RepoTune: runs start from ${value}, and it completes until a fine-tuned model is better.` : "RepoTune: runs train a model from scratch.");
  return value;
}

const OFFERED_KEY = "repotune.baseModelOffered";

/** Once per machine, when no base is set: say why a base matters and offer the pick. */
export async function offerBaseOnce(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, onChanged: () => void): Promise<void> {
  if (context.globalState.get<boolean>(OFFERED_KEY) || (vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("baseModel") ?? "") !== "") return;
  await context.globalState.update(OFFERED_KEY, true);
  const answer = await vscode.window.showInformationMessage(
    "RepoTune completes best starting from a pretrained code model (Qwen2.5-Coder 0.5B is 531 MB). Choose one found on this machine, or download one?",
    "Choose base model",
    "Not now",
  );
  if (answer === "Choose base model") await chooseBase(log, onChanged);
}
