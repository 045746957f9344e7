// Turns the way a worker process died into words a user can act on.

const OUT_OF_MEMORY = [
  /JavaScript heap out of memory/i,
  /Reached heap limit/i,
  /Cannot enlarge memory/i,
  /WebAssembly\.Memory\(\): could not allocate/i,
  /RangeError: .*(Array buffer allocation failed|WebAssembly)/i,
  /Aborted\(OOM\)/i,
  /out of memory/i,
];

/** The error line of a Node crash report, not the stack frames or the version banner around it. */
function lastWords(stderrTail: readonly string[]): string {
  const meaningful = stderrTail.map((l) => l.trim()).filter((l) => l && !l.startsWith("at ") && !/^Node\.js v\d/.test(l) && l !== "^");
  const errorLine = [...meaningful].reverse().find((l) => /\b\w*(Error|Exception)\b[:\s]/.test(l));
  return errorLine ?? meaningful.slice(-2).join(" | ");
}

export function explainWorkerExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: readonly string[],
  maxHeapMb: number,
): { message: string; hint: string } {
  const tail = stderrTail.join("\n");
  const lastLines = lastWords(stderrTail);
  if (OUT_OF_MEMORY.some((re) => re.test(tail))) {
    return {
      message: `Training ran out of memory (worker heap cap ${maxHeapMb} MB).`,
      hint: "Choose a smaller preset (setting repotune.preset), raise repotune.training.maxHeapMb, or use another backend; then Fine-tune again to resume from the last checkpoint.",
    };
  }
  if (signal === "SIGKILL") {
    return {
      message: "The training worker was killed (SIGKILL), often by the system's out-of-memory killer.",
      hint: "Close other memory-hungry programs or choose a smaller preset, then Fine-tune again to resume from the last checkpoint.",
    };
  }
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return {
    message: `The training worker stopped unexpectedly (${how})${lastLines ? `: ${lastLines}` : ""}.`,
    hint: "Fine-tune again to resume from the last checkpoint; if it happens again, try another backend (setting repotune.backend) and see RepoTune: Show log.",
  };
}
