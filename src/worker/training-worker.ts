// Entry point of the training worker process, forked by the extension host and by the CLI
// (TrainingWorkerClient). It runs one pipeline job: commands come in over IPC, validated;
// events go out over IPC (and into the run's events.jsonl). Its crash or out-of-memory
// ends only this process; the host reports it.
import { makeWorkerEvent, parseWorkerCommand, type WorkerEvent, type WorkerEventBody } from "../core/protocol";
import { explainPipelineError } from "../pipeline/run/explain-error";
import { runPipeline } from "../pipeline/run/orchestrator";
import { runPlanner } from "../pipeline/stages/run-plan";
import { resolveBackend } from "../pipeline/run/resolve-backend";
import { buildStages } from "../pipeline/stages";

const controller = new AbortController();
let started = false;

function send(event: WorkerEvent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(event, undefined, {}, () => resolve());
  });
}
const sendBody = (body: WorkerEventBody) => send(makeWorkerEvent(body));

process.on("message", (raw: unknown) => {
  let command;
  try {
    command = parseWorkerCommand(raw);
  } catch (err) {
    void sendBody({ type: "log", level: "error", message: `ignored a malformed command: ${(err as Error).message}` });
    return;
  }
  if (command.type === "cancel") {
    controller.abort();
    return;
  }
  if (started) {
    void sendBody({ type: "log", level: "warn", message: "a job is already running in this worker; start ignored" });
    return;
  }
  started = true;
  const pending: Promise<void>[] = [];
  runPipeline(command.job, {
    stages: buildStages(command.job),
    signal: controller.signal,
    listener: (event) => pending.push(send(event)),
    resolveBackend,
    explainError: explainPipelineError,
    plan: runPlanner,
  })
    .then(async (outcome) => {
      await Promise.all(pending);
      process.exit(outcome.status === "failed" ? 1 : 0);
    })
    .catch(async (err: unknown) => {
      await sendBody({ type: "error", ...explainPipelineError(err) });
      process.exit(1);
    });
});

// The host went away (VS Code closed): stop at the next step so the checkpoint is clean;
// the run stays resumable. Give up waiting after a while.
process.on("disconnect", () => {
  controller.abort();
  setTimeout(() => process.exit(0), 60_000).unref();
  if (!started) process.exit(0);
});
