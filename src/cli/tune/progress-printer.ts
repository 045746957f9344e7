// How `repotune tune` shows a run: one progress bar per stage on a terminal, plain lines
// when the output is a file or a pipe, one JSON event per line with --json.
import type { WorkerEvent } from "../../core/protocol";

export interface Printer {
  event(e: WorkerEvent): void;
  /** Extra text (the report) after the run. */
  text(t: string): void;
}

const BAR_WIDTH = 24;

function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  if (sec < 60) return `${Math.round(sec)}s`;
  const m = Math.floor(sec / 60);
  return m < 60 ? `${m}m${String(Math.round(sec % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
}

export function jsonPrinter(out: NodeJS.WritableStream): Printer {
  return {
    event: (e) => out.write(JSON.stringify(e) + "\n"),
    text: () => undefined,
  };
}

/** `tty`: redraw the current stage's bar in place; otherwise print a line every ~10% and at stage ends. */
export function humanPrinter(out: NodeJS.WritableStream, tty: boolean): Printer {
  let barShown = false;
  let lastPrintedTenth = -1;
  const endBar = () => {
    if (barShown) out.write("\n");
    barShown = false;
  };
  return {
    text: (t) => {
      endBar();
      out.write(t.endsWith("\n") ? t : t + "\n");
    },
    event(e) {
      switch (e.type) {
        case "run-start":
          out.write(`run ${e.runId} (${e.runDir})\nbackend: ${e.backend} on ${e.device}\n`);
          break;
        case "stage-start":
          endBar();
          lastPrintedTenth = -1;
          out.write(`\n== ${e.stage} (${e.totalSteps} steps)\n`);
          break;
        case "progress": {
          const fraction = e.totalSteps ? e.step / e.totalSteps : 0;
          // A stage that does not train counts its own things: no loss, lr or tokens/s to show.
          const figures = e.unit ? ` ${e.unit}` : `  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(1)}  ${Math.round(e.tokensPerSec)} tok/s`;
          const line = `${e.stage.padEnd(9)} ${bar(fraction)} ${String(e.step).padStart(5)}/${e.totalSteps}${figures}  ETA ${formatDuration(e.etaSec)}  ${Math.round(e.rssMb)} MB`;
          if (tty) {
            out.write(`\r\x1b[2K${line}`);
            barShown = true;
          } else {
            const tenth = Math.floor(fraction * 10);
            if (tenth > lastPrintedTenth || e.step === e.totalSteps) {
              lastPrintedTenth = tenth;
              out.write(line + "\n");
            }
          }
          break;
        }
        case "eval":
          endBar();
          out.write(`eval ${e.stage}: ${Object.entries(e.metrics).map(([k, v]) => `${k} ${v === null ? "n/a" : Number(v.toFixed(4))}`).join(", ")}\n`);
          break;
        case "log":
          endBar();
          out.write(`${e.level === "info" ? "" : `${e.level}: `}${e.message}\n`);
          break;
        case "stage-end":
          endBar();
          out.write(`   ${e.stage}: ${e.status}${e.reason ? ` (${e.reason})` : ""}${e.durationSec ? ` in ${formatDuration(e.durationSec)}` : ""}\n`);
          break;
        case "sample":
          break; // shown with the report at the end
        case "plan":
          break; // said in words by the log line that follows it
        case "activation":
          endBar();
          out.write(e.activated ? `\nactivated: ${e.reason}\n` : `\ndone, not activated: ${e.reason}\n  to use it anyway: run again with --activate always (or "Use this run's model" in the dashboard)\n`);
          break;
        case "done":
          endBar();
          out.write(`\ndone. ${Object.entries(e.artifacts).map(([k, v]) => `${k}: ${v}`).join("\n      ")}\n`);
          break;
        case "error":
          endBar();
          out.write(`\nerror: ${e.message}\n  what to do: ${e.hint}\n`);
          break;
      }
    },
  };
}
