// The if-better rule applied to a finished run: its model against the one serving completions
// now, on the same held-out probes. The active model's scores come from its own run when that
// run asked the very same probes, otherwise it is asked again here (llama.cpp on its GGUF);
// with no model active, the run's model is compared with its base.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_COMPLETION_SETTINGS } from "../../core/completion/context";
import type { EvalRowName } from "../../core/protocol";
import type { ActiveModel } from "../../core/runs/active-model";
import { openGgufCompleter } from "../../serve/llama-completer";
import { decideActivation } from "./activation";
import { EVAL_ITEMS_FILE, readEvalItems, sameProbes, type EvalItems } from "./eval-items";
import { evaluateModel } from "./evaluate-model";
import type { ItemScores } from "./types";

export interface ActivationVerdict {
  better: boolean;
  reason: string;
  against: string;
}

/** What serves: the GGUF and, for a LoRA run, the adapter over it (two runs over one base differ only there). */
const digest = (m: { gguf: string; lora?: string }) => createHash("sha256").update(readFileSync(m.gguf)).update(m.lora ? readFileSync(m.lora) : "").digest("hex");

/** The report row of a model role: the student, or the teacher (RL's model, else DPO's, else SFT's, else an imported one). */
export function rowOf(role: "student" | "teacher", rows: Partial<Record<EvalRowName, unknown>>): EvalRowName | undefined {
  if (role === "student") return rows.student ? "student" : undefined;
  return rows.rl ? "rl" : rows.dpo ? "dpo" : rows.sft ? "sft" : rows.imported ? "imported" : undefined;
}

export async function judgeActivation(o: {
  candidate: { gguf: string; lora?: string; role: "student" | "teacher"; items: EvalItems | null };
  active: ActiveModel | undefined;
  runsDir: string;
  signal?: AbortSignal;
  log?: (message: string) => void;
}): Promise<ActivationVerdict> {
  const { candidate, active } = o;
  const row = candidate.items ? rowOf(candidate.role, candidate.items.rows) : undefined;
  const mine = row ? candidate.items!.rows[row] : undefined;
  if (!candidate.items || !mine) {
    // Nothing measured (the eval stage was left out): never replace a model on no evidence.
    return active
      ? { better: false, reason: `this run's ${candidate.role} was not evaluated, so it does not replace the active model (run ${active.runId})`, against: `the active model (run ${active.runId})` }
      : { better: true, reason: `this run's ${candidate.role} was not evaluated; activated because no model serves completions yet`, against: "nothing" };
  }
  if (active) {
    if (digest(active) === digest(candidate)) return { better: true, reason: "the same model already serves completions", against: `the active model (run ${active.runId})` };
    const theirs = await activeScores(active, candidate.items, o.runsDir, o.signal, o.log);
    if (theirs) return decideActivation({ name: candidate.role, items: mine }, { name: `the active model (run ${active.runId})`, items: theirs });
    o.log?.(`the active model (run ${active.runId}) could not be evaluated on these probes: compared with the base instead`);
  }
  const base = candidate.items.rows.base;
  if (!base) return { better: !active, reason: "no base was evaluated to compare with", against: "nothing" };
  return decideActivation({ name: candidate.role, items: mine }, { name: "the base (the model the run started from)", items: base });
}

async function activeScores(active: ActiveModel, now: EvalItems, runsDir: string, signal?: AbortSignal, log?: (message: string) => void): Promise<ItemScores | null> {
  const theirs = readEvalItems(join(runsDir, active.runId, EVAL_ITEMS_FILE));
  const theirRow = theirs ? rowOf(active.role, theirs.rows) : undefined;
  if (theirs && theirRow && sameProbes(theirs.probes, now.probes)) return theirs.rows[theirRow]!;
  try {
    const completer = await openGgufCompleter(active.gguf, { maxNewTokens: DEFAULT_COMPLETION_SETTINGS.maxTokens, budget: DEFAULT_COMPLETION_SETTINGS.budget, ...(active.lora ? { lora: active.lora } : {}) });
    try {
      const { items } = await evaluateModel(completer, now.probes, [], { signal });
      return items.exactMatch.length === now.probes.length ? items : null; // cut short by a cancel
    } finally {
      await completer.dispose();
    }
  } catch (err) {
    log?.(`could not evaluate the active model ${active.gguf}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    return null;
  }
}
