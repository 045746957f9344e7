// AdamW exactly as torch.optim.AdamW (amsgrad and maximize off, the single-tensor path):
//   param *= 1 - lr * weight_decay                       (decoupled decay, before the update)
//   m = lerp(m, g, 1 - beta1)                            (m + (1 - beta1) (g - m))
//   v = v * beta2 + (1 - beta2) g^2
//   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Scalars (bias corrections, step size) are computed in float64 as Python does, tensors in
// float32, in torch's order of operations, so PyTorch and we agree to float32 rounding.
import * as tf from "@tensorflow/tfjs-core";
import { isWeightDecayed } from "./weight-decay";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Whether a parameter (by name) is decayed; default: everything but norms and biases. */
  decays: (name: string) => boolean;
}

/** torch.optim.AdamW's defaults. */
export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decays: isWeightDecayed };

interface Slot {
  param: tf.Variable;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  decayed: boolean;
}

/** The state as named tensors: `<param>.exp_avg`, `<param>.exp_avg_sq`, and the step count. */
export interface AdamWState {
  step: number;
  tensors: Map<string, tf.Tensor>;
}

export const EXP_AVG = ".exp_avg";
export const EXP_AVG_SQ = ".exp_avg_sq";

export class AdamW {
  readonly options: AdamWOptions;
  private readonly slots = new Map<string, Slot>();
  /** Updates taken so far (torch's state["step"], shared by all parameters here). */
  private stepCount = 0;

  constructor(params: ReadonlyMap<string, tf.Variable>, options: Partial<AdamWOptions> = {}) {
    this.options = { ...ADAMW_DEFAULTS, ...options };
    const { beta1, beta2, eps, weightDecay } = this.options;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error(`AdamW betas must be in [0, 1), got ${beta1}, ${beta2}`);
    if (!(eps >= 0) || !(weightDecay >= 0)) throw new Error(`AdamW eps and weight decay must be >= 0, got ${eps}, ${weightDecay}`);
    // Moments are allocated up front (as zeros, torch's initial state) so the tensor count
    // does not change after the first step.
    for (const [name, param] of params) {
      if (param.dtype !== "float32") throw new Error(`AdamW: parameter ${name} is ${param.dtype}, not float32`);
      this.slots.set(name, {
        param,
        expAvg: tf.variable(tf.zerosLike(param), false),
        expAvgSq: tf.variable(tf.zerosLike(param), false),
        decayed: this.options.decays(name),
      });
    }
  }

  get step(): number {
    return this.stepCount;
  }

  get parameterNames(): string[] {
    return [...this.slots.keys()];
  }

  isDecayed(name: string): boolean {
    return this.slots.get(name)?.decayed ?? false;
  }

  /**
   * One update with learning rate `lr`. Parameters without a gradient in `grads` are left
   * alone (their moments too), as torch skips parameters whose .grad is None; the step count
   * is shared, so do not rely on that for parameters that only sometimes get gradients.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    for (const name of grads.keys()) if (!this.slots.has(name)) throw new Error(`AdamW: gradient for unknown parameter ${name}`);
    this.stepCount++;
    const { beta1, beta2, eps, weightDecay } = this.options;
    const t = this.stepCount;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = lr / biasCorrection1;
    for (const [name, slot] of this.slots) {
      const g = grads.get(name);
      if (!g) continue;
      tf.tidy(() => {
        let p: tf.Tensor = slot.param;
        if (slot.decayed && weightDecay !== 0) p = tf.mul(p, tf.scalar(1 - lr * weightDecay));
        const m = tf.add(slot.expAvg, tf.mul(tf.sub(g, slot.expAvg), tf.scalar(1 - beta1)));
        const v = tf.add(tf.mul(slot.expAvgSq, tf.scalar(beta2)), tf.mul(tf.mul(g, g), tf.scalar(1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(biasCorrection2Sqrt)), tf.scalar(eps));
        slot.param.assign(tf.add(p, tf.mul(tf.div(m, denom), tf.scalar(-stepSize))));
        slot.expAvg.assign(m);
        slot.expAvgSq.assign(v);
      });
    }
  }

  /** Copies of the moments (the caller disposes them) and the step count, for a checkpoint. */
  exportState(): AdamWState {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, slot] of this.slots) {
      tensors.set(name + EXP_AVG, tf.clone(slot.expAvg));
      tensors.set(name + EXP_AVG_SQ, tf.clone(slot.expAvgSq));
    }
    return { step: this.stepCount, tensors };
  }

  /** The live moment variables by name (no copies: read them, do not dispose or change them). */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, slot] of this.slots) {
      out.set(name + EXP_AVG, slot.expAvg);
      out.set(name + EXP_AVG_SQ, slot.expAvgSq);
    }
    return out;
  }

  /** Restores a state from exportState (or a checkpoint); every parameter's moments must be there. */
  importState(state: { step: number; tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array } | tf.Tensor> }): void {
    if (!Number.isSafeInteger(state.step) || state.step < 0) throw new Error(`AdamW state: step ${state.step} is not a count`);
    const known = new Set<string>();
    for (const [name, slot] of this.slots) {
      for (const [suffix, target] of [[EXP_AVG, slot.expAvg], [EXP_AVG_SQ, slot.expAvgSq]] as const) {
        const key = name + suffix;
        known.add(key);
        const value = state.tensors.get(key);
        if (!value) throw new Error(`AdamW state: missing ${key}`);
        if (value.shape.length !== target.shape.length || value.shape.some((d, i) => d !== target.shape[i])) {
          throw new Error(`AdamW state: ${key} has shape [${value.shape.join(", ")}], the parameter has [${target.shape.join(", ")}]`);
        }
        tf.tidy(() => target.assign(value instanceof tf.Tensor ? value : tf.tensor(value.data, target.shape, "float32")));
      }
    }
    for (const key of state.tensors.keys()) if (!known.has(key)) throw new Error(`AdamW state: ${key} belongs to no parameter of this model`);
    this.stepCount = state.step;
  }

  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.expAvg.dispose();
      slot.expAvgSq.dispose();
    }
    this.slots.clear();
  }
}
