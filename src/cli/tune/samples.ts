// A few held-out lines at the end of `repotune tune`: what the teacher and the student
// complete next to the truth, read from the run's report.json.
import { existsSync, readFileSync } from "node:fs";
import type { EvalReport } from "../../pipeline/evaluation/report";

function oneLine(s: string, width: number): string {
  const flat = JSON.stringify(s).slice(1, -1);
  return flat.length > width ? flat.slice(0, width - 1) + "…" : flat;
}

export function formatSamples(reportJson: string, count: number): string {
  if (!existsSync(reportJson)) return "";
  let report: EvalReport;
  try {
    report = JSON.parse(readFileSync(reportJson, "utf8")) as EvalReport;
  } catch {
    return "";
  }
  const student = report.samples?.student ?? [];
  const teacher = report.samples?.dpo ?? report.samples?.sft ?? [];
  if (!student.length) return "";
  const lines = ["Held-out completions (never trained on): truth, teacher, student"];
  for (const s of student.slice(0, count)) {
    const t = teacher.find((x) => x.path === s.path && x.line === s.line);
    lines.push(`  ${s.path}:${s.line}`);
    lines.push(`    context  …${oneLine(s.prefixTail.split("\n").at(-1) ?? "", 60)}`);
    lines.push(`    truth    ${oneLine(s.truth, 70)}`);
    if (t) lines.push(`    teacher  ${oneLine(t.prediction, 70)}`);
    lines.push(`    student  ${oneLine(s.prediction, 70)}`);
  }
  return lines.join("\n") + "\n";
}
