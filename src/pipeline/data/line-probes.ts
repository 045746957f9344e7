// Line-completion probes: a cursor in a file, the code around it, and the rest of that line.
// Held-out files give them ready-made (heldout.jsonl); for training files they are cut out of
// SFT's FIM samples, whose prefix + middle + suffix is the file: the first line of the middle
// is the truth, and the rest of the middle joins the suffix.
import { parseFimPrompt } from "../../core/completion/fim-prompt";
import type { SftRecord } from "../../core/store/dataset-files";

export interface LineProbe {
  prefix: string;
  suffix: string;
  /** The rest of the line at the cursor (no newline). */
  target: string;
  path: string;
  /** The repository's name when the sample's prompt had the repository-level header. */
  repo?: string;
}

export function lineProbeFromFim(record: SftRecord): LineProbe | null {
  if (record.kind !== "fim") return null;
  const fim = parseFimPrompt(record.prompt);
  if (!fim) return null;
  const nl = record.completion.indexOf("\n");
  let target: string;
  let suffix: string;
  if (nl >= 0) {
    target = record.completion.slice(0, nl).replace(/\r$/, "");
    suffix = record.completion.slice(target.length) + fim.suffix;
  } else {
    // A middle inside one line is a line completion only when the line ends right after it.
    if (!/^[ \t]*(\r?\n|$)/.test(fim.suffix)) return null;
    target = record.completion;
    suffix = fim.suffix;
  }
  if (target.trim() === "") return null;
  return { prefix: fim.prefix, suffix, target, path: record.path, ...(fim.repo ? { repo: fim.repo.name } : {}) };
}
