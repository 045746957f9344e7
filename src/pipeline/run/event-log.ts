// The run's history: every event is appended to events.jsonl (one whole line per write,
// O_APPEND, so a crash leaves at most a torn last line) and handed to a listener (the
// worker's IPC channel, or the CLI's printer).
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { makeWorkerEvent, type WorkerEvent, type WorkerEventBody } from "../../core/protocol";

export type EventListener = (event: WorkerEvent) => void;

export class EventLog {
  private fd: number;

  constructor(
    readonly file: string,
    private readonly listener: EventListener,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "a");
  }

  emit(body: WorkerEventBody): WorkerEvent {
    const event = makeWorkerEvent(body);
    writeSync(this.fd, JSON.stringify(event) + "\n");
    this.listener(event);
    return event;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
