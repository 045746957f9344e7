// A few held-out lines at the end of `repotune tune`: what the model completes next to the truth.
import type { WorkerEvent } from "../../core/protocol";

function oneLine(s: string, width: number): string {
  const flat = JSON.stringify(s).slice(1, -1);
  return flat.length > width ? flat.slice(0, width - 1) + "…" : flat;
}

export function formatSamples(events: readonly WorkerEvent[], count: number): string {
  const samples = events.filter((e): e is Extract<WorkerEvent, { type: "sample" }> => e.type === "sample").slice(0, count);
  if (!samples.length) return "";
  const lines = ["Held-out completions (truth vs the models):"];
  for (const s of samples) {
    lines.push(`  ${s.path}:${s.line}`);
    lines.push(`    context  …${oneLine(s.prefix.split("\n").at(-1) ?? "", 60)}`);
    lines.push(`    truth    ${oneLine(s.truth, 70)}`);
    if (s.teacher !== undefined) lines.push(`    teacher  ${oneLine(s.teacher, 70)}`);
    if (s.student !== undefined) lines.push(`    student  ${oneLine(s.student, 70)}`);
  }
  return lines.join("\n") + "\n";
}
