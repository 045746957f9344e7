// LoRA adapters on a model's projections (Hu et al.): y = W x + b + (alpha / r) B A dropout(x),
// with the base W frozen and only A [r, in] and B [out, r] trained. B starts at zero, so the
// adapted model starts out exactly equal to the base; A starts as PEFT's (Kaiming-uniform with
// a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in))). Plugs into Qwen2Model as its ProjectionAdapter;
// both products go through `linear`, whose forward and backward are plain 2-D matMuls (the
// wasm fast path).
import * as tf from "@tensorflow/tfjs-core";
import type { ProjectionAdapter } from "../model/qwen2";
import type { ProjectionLora } from "../ops/decoder-layer";
import { linear } from "../ops/linear";
import type { Reseedable } from "../train/types";
import { hashSeed, seededRandom } from "../../core/random/seeded-random";
import { loraScaling, moduleOf, peftKey, validateLoraConfig, type LoraConfig } from "../../core/formats/lora-config";

export interface LoraPair {
  /** The base weight's Hugging Face name. */
  weightName: string;
  a: tf.Variable;
  b: tf.Variable;
}

let nextId = 0;

export class LoraAdapters implements ProjectionAdapter, Reseedable {
  readonly config: LoraConfig;
  readonly scaling: number;
  /** The base these adapt, when it came from a file or folder (an adapter folder names it). */
  basePath?: string;
  /** The trainable factors by PEFT key (what the trainer and the optimizer see). */
  readonly params = new Map<string, tf.Variable>();
  private readonly pairs = new Map<string, LoraPair>();
  private dropoutSeed = 0;
  private dropoutCalls = 0;

  /**
   * Adapters for every weight of `base` whose module is a target (all layers). `seed` makes A's
   * initial values reproducible. The base variables are not touched: freeze them with
   * model.setTrainable(() => false) (see attachLora).
   */
  constructor(base: ReadonlyMap<string, tf.Tensor>, config: LoraConfig, options: { seed?: number } = {}) {
    validateLoraConfig(config);
    this.config = { ...config, targetModules: [...config.targetModules] };
    this.scaling = loraScaling(config);
    const prefix = `lora_${nextId++}/`;
    const targets = new Set(config.targetModules);
    for (const [name, w] of base) {
      const module = moduleOf(name);
      if (!module || !targets.has(module) || w.rank !== 2) continue;
      const [out, inp] = w.shape as [number, number];
      const bound = 1 / Math.sqrt(inp);
      const rand = seededRandom(hashSeed(options.seed ?? 0, name));
      const aInit = tf.tensor2d(Float32Array.from({ length: config.r * inp }, () => (2 * rand() - 1) * bound), [config.r, inp]);
      const bInit = tf.zeros([out, config.r]);
      const pair: LoraPair = {
        weightName: name,
        a: tf.variable(aInit, true, prefix + peftKey(name, "A")),
        b: tf.variable(bInit, true, prefix + peftKey(name, "B")),
      };
      // tf.variable copies: free the initial values.
      tf.dispose([aInit, bInit]);
      this.pairs.set(name, pair);
      this.params.set(peftKey(name, "A"), pair.a);
      this.params.set(peftKey(name, "B"), pair.b);
    }
    const found = new Set([...this.pairs.keys()].map((n) => moduleOf(n)));
    const missing = config.targetModules.filter((m) => !found.has(m));
    if (missing.length) throw new Error(`LoRA: the model has no 2-D weight in module(s) ${missing.join(", ")}`);
  }

  /** The adapted weights' names (base Hugging Face names). */
  get targets(): string[] {
    return [...this.pairs.keys()];
  }

  pair(weightName: string): LoraPair | undefined {
    return this.pairs.get(weightName);
  }

  /** Dropout masks derive from this seed and a call counter: the same seed gives the same masks. */
  reseed(seed: number): void {
    this.dropoutSeed = seed >>> 0;
    this.dropoutCalls = 0;
  }

  /**
   * For the fused decoder layer: the factors of an adapted projection and, in training with
   * dropout, the seed of the draw tf.dropout would make on its input, from the same seed and
   * call count as delta(), so fused and op-by-op layers draw identical masks.
   */
  fusedFactors(weightName: string, training: boolean): ProjectionLora | undefined {
    const pair = this.pairs.get(weightName);
    if (!pair) return undefined;
    const a = pair.a as tf.Tensor as tf.Tensor2D;
    const b = pair.b as tf.Tensor as tf.Tensor2D;
    if (!training || this.config.dropout <= 0) return { a, b, dropout: null };
    return { a, b, dropout: { rate: this.config.dropout, seed: hashSeed(this.dropoutSeed, `lora-dropout/${this.dropoutCalls++}`) } };
  }

  /** scaling * B A dropout(x) for an adapted projection; undefined for any other. */
  delta(weightName: string, x: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined {
    const pair = this.pairs.get(weightName);
    if (!pair) return undefined;
    return tf.tidy(() => {
      let input = x;
      if (training && this.config.dropout > 0) {
        // One mask per adapter per call, as each PEFT lora_dropout module draws its own.
        input = tf.dropout(x, this.config.dropout, undefined, hashSeed(this.dropoutSeed, `lora-dropout/${this.dropoutCalls++}`)) as tf.Tensor2D;
      }
      // Scaling the [N, r] product costs less than scaling the [N, out] one.
      const h = tf.mul(linear(input, pair.a as tf.Tensor as tf.Tensor2D), this.scaling) as tf.Tensor2D;
      return linear(h, pair.b as tf.Tensor as tf.Tensor2D);
    });
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    this.pairs.clear();
  }
}
