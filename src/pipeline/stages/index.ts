// The stages of "Fine-tune on this repo": one adapter per name of core/protocol's STAGES, run
// in that order (the one list; the dashboard's timeline and `--stages` read the same names).
import { IMPORT_STAGES, STAGES, type StageName, type TrainingJob } from "../../core/protocol";
import type { Stage } from "../run/stage";
import { activateStage } from "./activate-stage";
import { distillStage } from "./distill-stage";
import { dpoStage } from "./dpo-stage";
import { evalStage } from "./eval-stage";
import { exportStage } from "./export-stage";
import { gatherStage } from "./gather-stage";
import { pretrainStage, sftStage } from "./lm-stages";
import { rlStage } from "./rl-stage";
import { tokenizerStage } from "./tokenizer-stage";

const ADAPTERS: Record<StageName, Stage> = {
  gather: gatherStage,
  tokenizer: tokenizerStage,
  pretrain: pretrainStage,
  sft: sftStage,
  dpo: dpoStage,
  rl: rlStage,
  distill: distillStage,
  eval: evalStage,
  export: exportStage,
  activate: activateStage,
};

/** Every stage, in STAGES order: what the training worker and bench/posttrain.ts run; an import run's stages for an import. */
export function buildStages(job?: Pick<TrainingJob, "imported">): Stage[] {
  return (job?.imported ? IMPORT_STAGES : STAGES).map((name) => ADAPTERS[name]);
}
