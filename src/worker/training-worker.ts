// Entry point of the training worker process (forked by the extension host and the CLI).
// The pipeline issue fills this in; until then it refuses every job, plainly.
import { makeWorkerEvent, parseWorkerCommand } from "../core/protocol";

process.on("message", (raw: unknown) => {
  try {
    const command = parseWorkerCommand(raw);
    if (command.type === "start") {
      process.send?.(makeWorkerEvent({ type: "error", message: "Training is not built yet in this version of RepoTune.", hint: "Update RepoTune." }));
      process.exit(0);
    }
  } catch (err) {
    process.send?.(makeWorkerEvent({ type: "error", message: (err as Error).message, hint: "Restart VS Code." }));
  }
});
