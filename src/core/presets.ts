// Presets: the sizes and lengths of one "Fine-tune on this repo" run. Each is printed at
// the start of a run, so a user can see what they get before waiting for it.
import type { PresetName } from "./protocol";

/** Model shape in plain numbers; the engine turns it into a Qwen2 config.json. */
export interface ModelShape {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediateSize: number;
  contextLength: number;
}

export interface StageSteps {
  pretrain: number;
  sft: number;
  dpo: number;
  reward: number;
  /** RL from the reward model (RLOO); 0 turns the stage off. */
  rl: number;
  distill: number;
}

export interface Preset {
  name: PresetName;
  description: string;
  teacher: ModelShape;
  /** The student keeps the teacher's width and takes every other layer (DistilBERT-style init). */
  studentLayers: number;
  batchSize: number;
  steps: StageSteps;
  learningRate: number;
  warmupSteps: number;
  /** Held-out probes evaluated per model (more is slower and steadier). */
  evalItems: number;
  /** Rough minutes on a 2-core CPU with the wasm backend, shown before a run starts. */
  estimatedCpuMinutes: number;
  /** Whether this preset is meant for a GPU; on a CPU it still runs, only slowly. */
  gpu: boolean;
}

const shape = (vocabSize: number, hiddenSize: number, layers: number, heads: number, kvHeads: number, intermediateSize: number, contextLength: number): ModelShape => ({
  vocabSize,
  hiddenSize,
  layers,
  heads,
  kvHeads,
  intermediateSize,
  contextLength,
});

export const PRESET_TABLE: Record<PresetName, Preset> = {
  micro: {
    name: "micro",
    description: "for tests: a toy model, well under a minute",
    teacher: shape(384, 64, 2, 4, 2, 172, 96),
    studentLayers: 1,
    // Enough to leave the unigram plateau. At 24 steps of 4 rows and lr 3e-3 (loss ~5.0,
    // ln 384 = 5.95) greedy decoding emitted a run of spaces at every place, which
    // post-processing trims to nothing: a micro model never showed a completion. At 40
    // steps of 8 it was on the edge (spaces or one letter, depending on the run). Measured on
    // commander's lib/ (6 files): with these the SFT loss reaches ~3.5 and the student
    // completes all 96 probed places (new lines typed below 16 statements, 6 kinds of
    // start); the run takes about 10 s longer. No RL: a model this small learns nothing
    // from a reward in seconds (and CI runs this preset).
    batchSize: 8,
    steps: { pretrain: 80, sft: 80, dpo: 8, reward: 8, rl: 0, distill: 32 },
    learningRate: 1e-2,
    warmupSteps: 4,
    evalItems: 24,
    estimatedCpuMinutes: 0.5,
    gpu: false,
  },
  tiny: {
    name: "tiny",
    description: "the CPU default: a 4-layer model trained for minutes",
    teacher: shape(2048, 256, 4, 4, 2, 688, 256),
    studentLayers: 2,
    batchSize: 4,
    // Sized so `repotune tune` on a mid-size repository ends within ~10-12 minutes on 2 cores,
    // most of it training: pretraining and SFT run on both cores (data-parallel replicas, 2.0x
    // the tokens/s of one thread), so they get the steps; evaluation asks 100 held-out probes
    // (enough for intervals a few points wide) of each model. Before: 80/80 steps on one
    // thread, pretraining 1 min 34 s of a 9 min 26 s run.
    steps: { pretrain: 200, sft: 120, dpo: 16, reward: 12, rl: 12, distill: 48 },
    learningRate: 2e-3,
    warmupSteps: 8,
    evalItems: 100,
    estimatedCpuMinutes: 10,
    gpu: false,
  },
  small: {
    name: "small",
    description: "CPU, under an hour: an 8-layer model",
    teacher: shape(4096, 512, 8, 8, 4, 1376, 512),
    studentLayers: 4,
    batchSize: 4,
    steps: { pretrain: 600, sft: 600, dpo: 120, reward: 120, rl: 60, distill: 400 },
    learningRate: 1e-3,
    warmupSteps: 40,
    evalItems: 200,
    estimatedCpuMinutes: 55,
    gpu: false,
  },
  base: {
    name: "base",
    description: "for a GPU: a 12-layer model with a 1,024-token context",
    teacher: shape(8192, 768, 12, 12, 4, 2048, 1024),
    studentLayers: 6,
    batchSize: 8,
    steps: { pretrain: 3000, sft: 3000, dpo: 400, reward: 400, rl: 200, distill: 2000 },
    learningRate: 6e-4,
    warmupSteps: 100,
    evalItems: 400,
    estimatedCpuMinutes: 900,
    gpu: true,
  },
};

export function getPreset(name: PresetName): Preset {
  return PRESET_TABLE[name];
}

/**
 * Scales every stage's steps so the run fits in `minutes` (`--minutes N`), keeping at
 * least one step per stage and the stages' proportions; a stage the preset turns off (RL at
 * 0 steps) stays off.
 */
export function fitPresetToMinutes(preset: Preset, minutes: number): Preset {
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number of minutes, got ${minutes}`);
  const factor = minutes / preset.estimatedCpuMinutes;
  const scale = (n: number) => Math.max(1, Math.round(n * factor));
  const steps: StageSteps = {
    pretrain: scale(preset.steps.pretrain),
    sft: scale(preset.steps.sft),
    dpo: scale(preset.steps.dpo),
    reward: scale(preset.steps.reward),
    rl: preset.steps.rl > 0 ? scale(preset.steps.rl) : 0,
    distill: scale(preset.steps.distill),
  };
  return { ...preset, steps, warmupSteps: Math.min(preset.warmupSteps, Math.max(1, Math.floor(steps.pretrain / 10))), estimatedCpuMinutes: minutes };
}

/** The preset a job runs with: its named preset, fitted to --minutes, with any steps the job sets. */
export function presetForJob(job: { preset: PresetName; minutes?: number; steps?: Partial<StageSteps> }): Preset {
  const named = PRESET_TABLE[job.preset];
  if (!named) throw new Error(`unknown preset ${JSON.stringify(job.preset)}: one of ${Object.keys(PRESET_TABLE).join(", ")}`);
  const fitted = job.minutes ? fitPresetToMinutes(named, job.minutes) : named;
  if (!job.steps) return fitted;
  for (const [stage, n] of Object.entries(job.steps)) {
    if (!(stage in fitted.steps)) throw new Error(`steps: "${stage}" is not a training stage (${Object.keys(fitted.steps).join(", ")})`);
    if (!(Number.isInteger(n) && n >= 0)) throw new Error(`steps: ${stage} must be a whole number of steps, got ${n}`);
  }
  return { ...fitted, steps: { ...fitted.steps, ...job.steps } };
}

/** Parameter count of a Qwen2 model of this shape with tied embeddings. */
export function parameterCount(m: ModelShape): number {
  const headDim = m.hiddenSize / m.heads;
  const attention = m.hiddenSize * m.hiddenSize * 2 + m.hiddenSize * headDim * m.kvHeads * 2 + headDim * (m.heads + 2 * m.kvHeads);
  const mlp = 3 * m.hiddenSize * m.intermediateSize;
  return m.vocabSize * m.hiddenSize + m.layers * (attention + mlp + 2 * m.hiddenSize) + m.hiddenSize;
}

export function describePreset(p: Preset): string {
  const t = p.teacher;
  const millions = (n: number) => `${(n / 1e6).toFixed(1)}M`;
  const student = { ...t, layers: p.studentLayers };
  const rowTokens = p.batchSize * t.contextLength;
  const thousands = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n / 1e3)}k`);
  return [
    `preset ${p.name}: ${p.description}`,
    `  teacher: ${t.layers} layers x ${t.hiddenSize} (${t.heads} heads, ${t.kvHeads} KV heads, FFN ${t.intermediateSize}), vocab ${t.vocabSize}, context ${t.contextLength}: ${millions(parameterCount(t))} parameters`,
    `  student: ${p.studentLayers} layers x ${t.hiddenSize}: ${millions(parameterCount(student))} parameters`,
    `  batch ${p.batchSize} x ${t.contextLength} tokens; steps: pretrain ${p.steps.pretrain} (${thousands(p.steps.pretrain * rowTokens)} tokens), SFT ${p.steps.sft} (${thousands(p.steps.sft * rowTokens)}), DPO ${p.steps.dpo}, reward ${p.steps.reward}, RL ${p.steps.rl > 0 ? p.steps.rl : "off"}, distill ${p.steps.distill} (${thousands(p.steps.distill * rowTokens)}); lr ${p.learningRate}`,
    `  about ${p.estimatedCpuMinutes < 1 ? "under a minute" : `${Math.round(p.estimatedCpuMinutes)} minutes`} on a 2-core CPU${p.gpu ? " (meant for a GPU)" : ""}`,
  ].join("\n");
}
