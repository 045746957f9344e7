export { AdamW, ADAMW_DEFAULTS, EXP_AVG, EXP_AVG_SQ, type AdamWOptions, type AdamWState } from "./adamw";
export { clipGradNorm, globalNorm, type ClippedGrads } from "./clip-grad-norm";
export { learningRateAt, validateSchedule, type LrSchedule } from "./lr-schedule";
export { isWeightDecayed } from "./weight-decay";
