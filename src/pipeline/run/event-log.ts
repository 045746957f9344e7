// The run's history: every event is appended to events.jsonl (one whole line per write,
// O_APPEND, so a crash leaves at most a torn last line) and handed to a listener (the
// worker's IPC channel, or the CLI's printer).
import { dirname } from "node:path";
import { makeWorkerEvent, type WorkerEvent, type WorkerEventBody } from "../../core/protocol";
import { JsonlAppender } from "../../core/store/jsonl-appender";
import { mkdirPrivate } from "../../core/fs/private-files";

export type EventListener = (event: WorkerEvent) => void;

export class EventLog {
  private readonly appender: JsonlAppender;

  constructor(
    readonly file: string,
    private readonly listener: EventListener,
  ) {
    mkdirPrivate(dirname(file)); // 0700: see core/fs/private-files.ts
    this.appender = JsonlAppender.open(file, { bufferBytes: 0 });
  }

  emit(body: WorkerEventBody): WorkerEvent {
    const event = makeWorkerEvent(body);
    this.appender.append(event);
    this.listener(event);
    return event;
  }

  close(): void {
    this.appender.close();
  }
}
