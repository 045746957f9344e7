// Entry point of the completion server process. The inline completions issue fills this in.
import { parseServerCommand, PROTOCOL_VERSION } from "../core/protocol";

process.on("message", (raw: unknown) => {
  try {
    const command = parseServerCommand(raw);
    process.send?.({ v: PROTOCOL_VERSION, type: "error", id: "id" in command ? command.id : undefined, message: "Completions are not built yet in this version of RepoTune.", hint: "Update RepoTune." });
  } catch (err) {
    process.send?.({ v: PROTOCOL_VERSION, type: "error", message: (err as Error).message, hint: "Restart VS Code." });
  }
});
