// The post-training objectives as pure tensor functions: no model, no optimiser, no I/O.
export * from "./log-probs";
export * from "./cross-entropy";
export * from "./dpo";
export * from "./reward";
export * from "./distill";
