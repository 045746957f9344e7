// OUT/active.json: which GGUF serves completions for this workspace folder. Written by the
// pipeline's last stage (activate) and by "Use this run's model"; read by the completion
// server's host in the extension. Written atomically, so a reader never sees half of it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../fs/atomic-write";

export interface ActiveModel {
  /** Absolute path of the GGUF file (for a LoRA run: the base's own file). */
  gguf: string;
  /** A LoRA run's GGUF adapter, applied over `gguf` (llama.cpp's createContext({ lora })). */
  lora?: string;
  runId: string;
  /** "student" (the distilled model, the default) or "teacher". */
  role: "student" | "teacher";
  activatedAt: string;
  /** The base the run started from (absent: trained from scratch): the model it was judged better than. */
  base?: string;
  /** Chosen by the user ("Use this run's model"): it serves whatever the base setting says. */
  pinned?: boolean;
}

export const ACTIVE_MODEL_FILE = "active.json";

export function readActiveModel(out: string): ActiveModel | undefined {
  const file = join(out, ACTIVE_MODEL_FILE);
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<ActiveModel>;
    if (typeof value.gguf !== "string" || typeof value.runId !== "string" || !existsSync(value.gguf)) return undefined;
    if (value.lora !== undefined && (typeof value.lora !== "string" || !existsSync(value.lora))) return undefined;
    return {
      gguf: value.gguf,
      ...(typeof value.lora === "string" ? { lora: value.lora } : {}),
      runId: value.runId,
      role: value.role === "teacher" ? "teacher" : "student",
      activatedAt: String(value.activatedAt ?? ""),
      ...(typeof value.base === "string" ? { base: value.base } : {}),
      ...(value.pinned === true ? { pinned: true } : {}),
    };
  } catch {
    return undefined;
  }
}

export function writeActiveModel(out: string, model: Omit<ActiveModel, "activatedAt">): ActiveModel {
  const value: ActiveModel = { ...model, activatedAt: new Date().toISOString() };
  writeFileAtomicSync(join(out, ACTIVE_MODEL_FILE), JSON.stringify(value, null, 2) + "\n");
  return value;
}
