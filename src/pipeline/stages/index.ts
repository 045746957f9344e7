// The stages of "Fine-tune on this repo", in order (DESIGN.md; issue "Fine-tune on this repo").
import type { Stage } from "../run/stage";
import { activateStage } from "./activate-stage";
import { distillStage } from "./distill-stage";
import { dpoStage } from "./dpo-stage";
import { evalStage } from "./eval-stage";
import { exportStage } from "./export-stage";
import { gatherStage } from "./gather-stage";
import { pretrainStage, sftStage } from "./lm-stages";
import { tokenizerStage } from "./tokenizer-stage";

export function buildStages(): Stage[] {
  return [gatherStage, tokenizerStage, pretrainStage, sftStage, dpoStage, distillStage, evalStage, exportStage, activateStage];
}
