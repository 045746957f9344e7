// `repotune models [--json]`: the base models on this machine (read-only: the Hugging Face
// cache, llama.cpp's, LM Studio's, Ollama's, node-llama-cpp's and RepoTune's own folder) and
// the ones RepoTune can download; `repotune models pull NAME`: download one, resumable.
import type { Command } from "commander";
import { CATALOG, catalogModel, catalogPath, downloadModel, findModels, formatBytes, hubEndpoint, hubToken, repotuneModelsFolder, type FoundModel } from "../../hub";
import { progressBar } from "./progress-bar";

/** One entry of `repotune models --json` (the contract). */
export interface ModelListing {
  name: string;
  path?: string;
  source: FoundModel["source"] | "download";
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  contextLength: number | null;
  sizeBytes: number;
  trainable: boolean;
  servable: boolean;
  why?: string;
}

export function listModels(userPaths: string[] = []): ModelListing[] {
  const folder = repotuneModelsFolder();
  const found = findModels({ userPaths });
  // A downloaded catalogue model goes by the name `--base` and `models pull` take.
  const catalogNames = new Map(CATALOG.map((c) => [catalogPath(c, folder), c.name]));
  const listed: ModelListing[] = found.map((m) => ({
    name: catalogNames.get(m.path) ?? m.name,
    path: m.path,
    source: m.source,
    architecture: m.architecture,
    parameters: m.parameters,
    quantization: m.quantisation,
    contextLength: m.contextLength,
    sizeBytes: m.fileBytes,
    trainable: m.canTrain,
    servable: m.canServe,
    ...(m.why ? { why: m.why } : {}),
  }));
  const present = new Set(found.map((m) => m.path));
  for (const c of CATALOG) {
    if (present.has(catalogPath(c, folder))) continue;
    listed.push({ name: c.name, source: "download", architecture: "qwen2", parameters: c.parameters, quantization: "Q8_0", contextLength: c.contextLength, sizeBytes: c.approxBytes, trainable: true, servable: true });
  }
  return listed;
}

function table(models: ModelListing[]): string {
  if (models.length === 0) return "no models found";
  const rows = models.map((m) => [
    m.name,
    m.source,
    m.architecture ?? "?",
    m.parameters === null ? "?" : `${(m.parameters / 1e9).toFixed(m.parameters < 1e9 ? 2 : 1)}B`,
    m.quantization ?? "?",
    m.contextLength === null ? "?" : String(m.contextLength),
    formatBytes(m.sizeBytes),
    m.servable ? (m.trainable ? "train, serve" : "serve") : "no",
  ]);
  const head = ["NAME", "SOURCE", "ARCH", "PARAMS", "QUANT", "CONTEXT", "SIZE", "USE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const notes = models.filter((m) => m.why).map((m) => `  ${m.name}: ${m.why}`);
  return [line(head), ...rows.map(line), ...(notes.length ? ["", "why not:", ...notes] : []), "", "download one with `repotune models pull NAME`; use one with `repotune tune --base NAME`"].join("\n");
}

export function registerModels(program: Command): void {
  const models = program
    .command("models")
    .description("list the base models on this machine and those RepoTune can download")
    .option("--path <path...>", "also look at these files or folders")
    .option("--json", "print the list as JSON")
    .action((opts: { path?: string[]; json?: boolean }) => {
      const list = listModels(opts.path ?? []);
      process.stdout.write(`${opts.json ? JSON.stringify(list) : table(list)}\n`);
    });
  models
    .command("pull <name>")
    .description(`download a base model into RepoTune's models folder (${CATALOG.map((c) => c.name).join(", ")}): resumable, checksummed`)
    .option("--endpoint <url>", "the Hugging Face endpoint or a mirror (default: HF_ENDPOINT, else https://huggingface.co)")
    .option("--json", "print the result as JSON")
    .action(async (name: string, own: { endpoint?: string; json?: boolean }) => {
      // `models` has --json too, and commander gives it the flag wherever it is typed.
      const opts = { ...own, json: own.json || (models.opts() as { json?: boolean }).json };
      const model = catalogModel(name);
      if (!model) throw new Error(`${name} is not one RepoTune can download; choose one of ${CATALOG.map((c) => c.name).join(", ")}`);
      const folder = repotuneModelsFolder();
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once("SIGINT", onSigint);
      const bar = progressBar(process.stderr, `${model.name}`);
      try {
        const result = await downloadModel(model, { folder, endpoint: hubEndpoint(opts.endpoint), token: hubToken(), signal: abort.signal, onProgress: bar.update });
        bar.done();
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`${result.alreadyPresent ? "already downloaded" : "downloaded"}: ${result.path} (${formatBytes(result.bytes)}, sha256 ${result.sha256.slice(0, 12)}…)\nuse it: repotune tune --base ${model.name}\n`);
      } catch (err) {
        bar.done();
        throw err;
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
