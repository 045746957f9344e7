// The post-training objectives as pure tensor functions: no model, no optimiser, no I/O
// (src/engine/loss-fns binds each to a model and its micro-batches).
export * from "./log-probs";
export * from "./cross-entropy";
export * from "./dpo";
export * from "./reward";
export * from "./distill";
export * from "./rloo";
