// Which model completes in a folder: the active model of a run, or the base model chosen in the
// settings. The active model was judged better than the base its run started from; a model
// trained from scratch, or from another base, was never compared with the base chosen now, so
// that base serves until a run from it does better, unless the user picked the model by hand.
import { resolve } from "node:path";
import type { ActiveModel } from "./active-model";

export type ServingChoice = { kind: "run"; active: ActiveModel } | { kind: "base"; path: string } | { kind: "none" };

export function servingChoice(active: ActiveModel | undefined, base: string | undefined): ServingChoice {
  if (active && (!base || active.pinned || (active.base !== undefined && resolve(active.base) === resolve(base)))) return { kind: "run", active };
  if (base) return { kind: "base", path: base };
  return { kind: "none" };
}
