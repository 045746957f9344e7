// `repotune complete --model FILE.gguf --file F --line L --column C [--json]`: the completion
// the editor would show at that place, computed in this process by the completion server's
// own service and the editor's completion context (same budget, mode, prompt, post-processing
// and limits), for scripts and checking by hand.
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { PROTOCOL_VERSION, type ServerReply } from "../../core/protocol";
import { CompletionService } from "../../serve/completion-service";
import type { GenerateResult } from "../../serve/completion-engine";
import { LlamaEngine } from "../../serve/llama-engine";
import { completionContext, DEFAULT_COMPLETION_SETTINGS, offsetAt, type ModeSetting } from "../../core/completion/context";
import { repoNameOf, type RepoContext } from "../../core/completion/repo-prompt";

/** The repository a file is in (the nearest folder above it with .git, else the current folder), as the editor's workspace. */
function repoOf(file: string): RepoContext {
  let dir = dirname(resolve(file));
  while (!existsSync(join(dir, ".git")) && dirname(dir) !== dir) dir = dirname(dir);
  const root = existsSync(join(dir, ".git")) ? dir : process.cwd();
  return { name: repoNameOf(root), path: relative(root, resolve(file)).split("\\").join("/") };
}

interface CompleteOptions {
  model: string;
  file: string;
  line: string;
  column: string;
  mode: string;
  maxTokens: string;
  prefixTokens: string;
  suffixTokens: string;
  threads?: string;
  json?: boolean;
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

export function registerComplete(program: Command): void {
  program
    .command("complete")
    .description("print the model's completion at a place in a file")
    .requiredOption("--model <file>", "the GGUF model (repotune export --format gguf)")
    .requiredOption("--file <file>", "the source file")
    .requiredOption("--line <n>", "line of the cursor, from 1")
    .requiredOption("--column <n>", "column of the cursor, from 1 (line length + 1 = end of line)")
    .option("--mode <mode>", "line, block, or auto (block on a blank line or after an opening bracket)", "auto")
    .option("--max-tokens <n>", "most tokens to generate", String(DEFAULT_COMPLETION_SETTINGS.maxTokens))
    .option("--prefix-tokens <n>", "most tokens of the text before the cursor the model sees", String(DEFAULT_COMPLETION_SETTINGS.budget.prefixTokens))
    .option("--suffix-tokens <n>", "most tokens of the text after the cursor the model sees", String(DEFAULT_COMPLETION_SETTINGS.budget.suffixTokens))
    .option("--threads <n>", "CPU threads for llama.cpp (default: 1 on 2 cores, more on larger machines)")
    .option("--json", "print {text, mode, latencyMs, ...} as JSON")
    .action(async (opts: CompleteOptions) => {
      if (!["line", "block", "auto"].includes(opts.mode)) throw new Error(`--mode must be line, block or auto, got "${opts.mode}"`);
      const text = readFileSync(opts.file, "utf8");
      const offset = offsetAt(text, positiveInt("line", opts.line), positiveInt("column", opts.column));
      const budget = { prefixTokens: positiveInt("prefix-tokens", opts.prefixTokens), suffixTokens: positiveInt("suffix-tokens", opts.suffixTokens) };
      const place = completionContext(text.slice(0, offset), text.slice(offset), { budget, mode: opts.mode as ModeSetting }, repoOf(opts.file));
      const mode = place.mode;
      const threads = opts.threads === undefined ? undefined : positiveInt("threads", opts.threads);
      const modelPath = resolve(opts.model);
      if (!existsSync(modelPath)) throw new Error(`--model ${modelPath} does not exist; export one with repotune export --format gguf`);

      let generated: GenerateResult | undefined;
      let answer: (r: ServerReply) => void = () => {};
      const replies = new Promise<ServerReply>((r) => (answer = r));
      const service = new CompletionService((r) => answer(r), (path, t) => LlamaEngine.load({ modelPath: path, threads: t }), {
        prefetch: false,
        onGenerated: ({ result }) => (generated = result),
      });
      const loadStarted = performance.now();
      service.handle({ v: PROTOCOL_VERSION, type: "load", modelPath, threads });
      const ready = await replies;
      if (ready.type !== "ready") throw new Error(ready.type === "error" ? `${ready.message} (${ready.hint})` : `unexpected reply ${ready.type}`);
      const loadMs = performance.now() - loadStarted;

      const done = new Promise<ServerReply>((r) => (answer = r));
      service.handle({ v: PROTOCOL_VERSION, type: "complete", id: "cli", prefix: place.prefix, suffix: place.suffix, languageId: "", maxTokens: positiveInt("max-tokens", opts.maxTokens), mode, budget, ...(place.repo ? { repo: place.repo } : {}) });
      const reply = await done;
      await service.dispose();
      if (reply.type !== "completion") throw new Error(reply.type === "error" ? `${reply.message} (${reply.hint})` : `unexpected reply ${reply.type}`);
      if (opts.json) {
        const g = generated as GenerateResult | undefined;
        process.stdout.write(
          JSON.stringify({
            text: reply.text,
            mode,
            latencyMs: Math.round(reply.latencyMs * 10) / 10,
            loadMs: Math.round(loadMs),
            firstTokenMs: g ? Math.round(g.firstTokenMs * 10) / 10 : null,
            tokens: g?.tokens ?? null,
            promptTokens: g?.promptTokens ?? null,
            raw: g?.text ?? null,
            model: modelPath,
            device: ready.device,
            file: resolve(opts.file),
            line: Number(opts.line),
            column: Number(opts.column),
          }) + "\n",
        );
      } else {
        process.stdout.write(reply.text + (reply.text.endsWith("\n") || reply.text === "" ? "" : "\n"));
      }
    });
}
