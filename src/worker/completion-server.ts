// Entry point of the completion server: a process forked by the extension host (or a test)
// that holds the model and answers completion requests over IPC. Every message is validated
// (parseServerCommand); a bad one gets an 'error' reply, never a crash. The host sends
// 'load' first and waits for 'ready'.
import { PROTOCOL_VERSION, type ServerReply } from "../core/protocol";
import { CompletionService } from "../serve/completion-service";
import { LlamaEngine } from "../serve/llama-engine";
import { modelGguf } from "../serve/model-gguf";
import type { CompletionEngine } from "../serve/completion-engine";
import { loadRewardFilter } from "../pipeline/evaluation/reward-filter";

function send(reply: ServerReply): void {
  if (process.connected) process.send?.(reply);
}

/** A GGUF as it is; a model folder (a Hugging Face base) exported to a temporary f16 GGUF for as long as it serves. */
async function loadEngine(modelPath: string, threads: number | undefined, lora?: string): Promise<CompletionEngine> {
  const m = modelGguf(modelPath, "f16");
  try {
    // A LoRA run's adapter comes with the load command; a model folder of adapters brings its own.
    const adapter = lora ?? m.lora;
    const engine = await LlamaEngine.load({ modelPath: m.gguf, threads, ...(adapter ? { lora: { path: adapter } } : {}) });
    return {
      modelPath,
      device: engine.device,
      generate: (request) => engine.generate(request),
      dispose: () => engine.dispose().finally(() => m.cleanup()),
    };
  } catch (err) {
    m.cleanup();
    throw err;
  }
}

const service = new CompletionService(send, loadEngine, {
  // The filter scores in this process with the small reward model (a short window, a few ms).
  loadFilter: (f) => loadRewardFilter(f.rewardModelDir, f.mode, f.bestOf),
  // Generation figures go to stderr, which the host shows in RepoTune's log.
  onGenerated: ({ id, prefetch, result }) => {
    if (process.env.REPOTUNE_SERVER_LOG) {
      process.stderr.write(
        `${prefetch ? "prefetch" : id}: ${result.tokens} tokens, prompt ${result.promptTokens} (${result.reusedTokens} reused), ` +
          `first token ${result.firstTokenMs.toFixed(0)} ms, total ${result.totalMs.toFixed(0)} ms, stop ${result.stop}\n`,
      );
    }
  },
});

process.on("message", (raw: unknown) => service.handle(raw));

// Without its host the server has no purpose: free the model and leave.
process.on("disconnect", () => {
  void service.dispose().finally(() => process.exit(0));
});

// A bug of ours must not take completions down for the rest of the session: report it.
const report = (err: unknown): void =>
  send({ v: PROTOCOL_VERSION, type: "error", message: `Completion server: ${err instanceof Error ? err.message : String(err)}`, hint: "RepoTune: Show log has details." });
process.on("uncaughtException", report);
process.on("unhandledRejection", report);
