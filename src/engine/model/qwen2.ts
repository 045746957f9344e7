// The Qwen2 decoder-only transformer in TensorFlow.js: RMSNorm, rotary embeddings over
// halves, grouped-query attention with optional q/k/v bias, SwiGLU MLP, tied or separate
// output head. One code path for training, evaluation and decoding, on every backend.
//
// Every op that costs anything is one of ../ops (hand-written gradients whose products are
// plain 2-D matMuls, the wasm fast path). Each layer runs inside tf.tidy so that, during a
// training step, only what the backward pass saved stays alive, not every intermediate.
import * as tf from "@tensorflow/tfjs-core";
import { patchWasmKernels } from "../backends/wasm-kernels";
import { groupedAttention, causalMaskBias } from "../ops/attention";
import { IGNORE_INDEX, targetLogProbs } from "../ops/cross-entropy";
import { decoderLayer, LORA_PROJECTIONS, type LayerLora, type LayerParams, type LoraProjection, type ProjectionLora } from "../ops/decoder-layer";
import { embed } from "../ops/embedding";
import { frozenLinear, linear } from "../ops/linear";
import { rmsNorm } from "../ops/rmsnorm";
import { applyRope, ropeTables } from "../ops/rope";
import { swiglu } from "../ops/swiglu";
import { hasQkvBias, headDim, parameterShapes, type Qwen2Config } from "../../core/formats/qwen2-config";
import { checkWeights, initialWeights, type HostTensor, type WeightMap } from "./weights";

/** Token ids of a batch of equal-length rows (pad them), row-major. */
export interface TokenBatch {
  batchSize: number;
  seqLen: number;
  /** [batchSize * seqLen] token ids. */
  inputIds: Int32Array;
  /** [batchSize * seqLen] 1 for real tokens, 0 for padding (default: all real). Padding is never attended to. */
  attentionMask?: ArrayLike<number>;
}

/** A batch for next-token losses. */
export interface LmBatch extends TokenBatch {
  /**
   * [batchSize * seqLen] the token each position must predict (already shifted: usually
   * inputIds moved left by one), IGNORE_INDEX (-100, as in transformers) where nothing counts.
   */
  targets: Int32Array;
  /** [batchSize * seqLen] optional weight per position, multiplied in (0 drops a position: SFT prompts). */
  lossMask?: ArrayLike<number>;
}

export interface ForwardOptions {
  /** Training mode: adapters apply dropout. Default false. */
  training?: boolean;
}

/**
 * A hook on every projection (q/k/v/o, gate/up/down): what LoRA plugs into. `delta` gets
 * the projection's weight name (e.g. "model.layers.0.self_attn.q_proj.weight") and its input
 * x [N, in], and returns a [N, out] tensor to add to the output, or undefined to add nothing.
 */
export interface ProjectionAdapter {
  delta(weightName: string, x: tf.Tensor2D, training: boolean): tf.Tensor2D | undefined;
  /**
   * The same adapter inside the fused decoder layer: a projection's factors and the seed of its
   * dropout draw, the one delta() would make (same seeds, same order). Without it, or while any
   * base weight trains, the model runs its op-by-op layers.
   */
  fusedFactors?(weightName: string, training: boolean): ProjectionLora | undefined;
  /** What fused factors' updates are scaled by (alpha / r). */
  readonly scaling?: number;
  /** The adapter's own trainable variables: they train with the model's (trainableVariables). */
  readonly params?: ReadonlyMap<string, tf.Variable>;
  /** Freed with the model. */
  dispose?(): void;
}

export interface LossOptions extends ForwardOptions {
  /** "mean" over counted positions (transformers' convention; default), or "sum" for gradient accumulation. */
  reduction?: "mean" | "sum";
}

export interface LossAndGrads {
  loss: number;
  /** Positions that counted (sum of the loss weights of non-ignored targets). */
  tokens: number;
  /** Gradient of each trained variable, by Hugging Face name. The caller disposes them. */
  grads: Map<string, tf.Tensor>;
}

/** Key/value cache of one decoding session: per layer, k and v as [B*kvHeads, t, headDim]. */
export interface KvCache {
  length: number;
  keys: tf.Tensor3D[];
  values: tf.Tensor3D[];
}

let nextModelId = 0;

export class Qwen2Model {
  readonly config: Qwen2Config;
  /** The parameters, by Hugging Face name, in PyTorch layout. */
  readonly params: Map<string, tf.Variable>;
  /** Optional projection hook (LoRA). */
  adapter: ProjectionAdapter | undefined;
  /**
   * Run each decoder layer as one op with a hand-written backward (less memory, fewer tape
   * nodes) when no adapter is set. false: the op-by-op layer, as with an adapter (tests
   * compare the two).
   */
  fusedLayers = true;
  private readonly names = new Map<string, string>();
  private rope: { positions: number; cos: tf.Tensor2D; sin: tf.Tensor2D } | undefined;
  /**
   * Decoding only: each projection's W^T, kept while the weight is unchanged. A one-token
   * product x W^T then has the weight as XNNPACK's right-hand operand, which the wasm backend
   * packs once and caches by tensor (measured: several times faster than W x^T, which reads
   * the unpacked weight every token). Keyed by name; `source` is the weight's data it came from.
   */
  private transposed = new Map<string, { source: object; t: tf.Tensor2D }>();
  private decoding = false;
  private disposed = false;

  /** Wraps weights into variables. Prefer create() and fromWeights(). */
  constructor(config: Qwen2Config, weights: WeightMap) {
    checkWeights(config, weights);
    // Callers that set the wasm backend themselves (tf.setBackend) get the faster slicing too.
    if (tf.getBackend() === "wasm") patchWasmKernels();
    this.config = config;
    this.params = new Map();
    // tfjs keeps one global registry of variable names: prefix ours per model so several
    // models (policy and frozen reference, teacher and student, tests) can coexist.
    const prefix = `qwen2_${nextModelId++}/`;
    for (const name of parameterShapes(config).keys()) {
      const w = weights.get(name)!;
      const initial = tf.tensor(w.data, w.shape as number[], "float32");
      this.params.set(name, tf.variable(initial, true, prefix + name));
      // tf.variable copies; without this every parameter would be held twice.
      initial.dispose();
      this.names.set(prefix + name, name);
    }
  }

  /** A fresh model with transformers' initialisation, the same for a seed on every backend. */
  static create(config: Qwen2Config, options: { seed?: number } = {}): Qwen2Model {
    return new Qwen2Model(config, initialWeights(config, options.seed ?? 0));
  }

  /** A model from Hugging Face-named weights (a safetensors file's tensors, converted to float32). */
  static fromWeights(config: Qwen2Config, weights: WeightMap): Qwen2Model {
    return new Qwen2Model(config, weights);
  }

  /** Overwrites every parameter (resuming a checkpoint). Same checks as fromWeights. */
  loadWeights(weights: WeightMap): void {
    checkWeights(this.config, weights);
    for (const [name, v] of this.params) {
      const w = weights.get(name)!;
      tf.tidy(() => v.assign(tf.tensor(w.data, w.shape as number[], "float32")));
    }
  }

  /** Every parameter copied to host memory, by Hugging Face name (for safetensors and GGUF writers). */
  async getWeights(): Promise<WeightMap> {
    const out: WeightMap = new Map();
    for (const [name, v] of this.params) {
      const data = (await v.data()) as Float32Array;
      out.set(name, { shape: v.shape.slice(), data: new Float32Array(data) } satisfies HostTensor);
    }
    return out;
  }

  /** Freezes or unfreezes parameters (LoRA freezes them all). */
  setTrainable(predicate: (name: string) => boolean): void {
    for (const [name, v] of this.params) v.trainable = predicate(name);
  }

  /** The parameters that train, by Hugging Face name, and an adapter's (LoRA's A and B, by PEFT key). */
  trainableVariables(): Map<string, tf.Variable> {
    return new Map([...[...this.params].filter(([, v]) => v.trainable), ...(this.adapter?.params ?? [])]);
  }

  /** Final hidden states [B*T, hidden] after the last norm. */
  hiddenStates(batch: TokenBatch, options: ForwardOptions = {}): tf.Tensor2D {
    this.checkBatch(batch);
    const { batchSize, seqLen } = batch;
    const ids = tf.tensor1d(batch.inputIds, "int32");
    const mask = this.maskTensor(batchSize, seqLen, batch.attentionMask, 0);
    const [cos, sin] = this.ropeRows(0, seqLen);
    let h = this.embedTokens(ids);
    const training = options.training ?? false;
    // Adapters run fused over a frozen base; a base that trains beside them runs op by op.
    const fused = this.fusedLayers && (!this.adapter || (this.adapter.fusedFactors !== undefined && [...this.params.values()].every((v) => !v.trainable)));
    for (let i = 0; i < this.config.num_hidden_layers; i++) {
      const prev = h;
      h = tf.tidy(() => (fused ? this.fusedLayer(i, prev, batchSize, seqLen, cos, sin, mask, training) : this.layer(i, prev, batchSize, seqLen, cos, sin, mask, undefined, training).h));
      prev.dispose();
    }
    tf.dispose([ids, cos, sin]);
    mask?.dispose();
    const out = rmsNorm(h, this.p1("model.norm.weight"), this.config.rms_norm_eps);
    h.dispose();
    return out;
  }

  /** Logits [B, T, vocab]. */
  logits(batch: TokenBatch, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const logits = this.head(this.hiddenStates(batch, options));
      return tf.reshape(logits, [batch.batchSize, batch.seqLen, this.config.vocab_size]);
    });
  }

  /**
   * log p(targets[i] | tokens up to i) [B, T]; 0 where the target is IGNORE_INDEX.
   * Differentiable: DPO sums it over completion tokens; evaluation reads it.
   */
  targetLogProbs(batch: TokenBatch, targets: Int32Array, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const logits = this.head(this.hiddenStates(batch, options));
      return tf.reshape(targetLogProbs(logits, targets), [batch.batchSize, batch.seqLen]);
    });
  }

  /** Sum over each row of log p(target) weighted by `mask` (1 on completion tokens): [B]. */
  sequenceLogProbs(batch: TokenBatch, targets: Int32Array, mask?: ArrayLike<number>, options: ForwardOptions = {}): tf.Tensor1D {
    return tf.tidy(() => {
      let lp: tf.Tensor2D = this.targetLogProbs(batch, targets, options);
      if (mask) lp = tf.mul(lp, tf.tensor2d(Float32Array.from(mask), [batch.batchSize, batch.seqLen]));
      return tf.sum(lp, 1);
    });
  }

  /** Cross-entropy of the targets: mean over counted positions (default) or sum. */
  loss(batch: LmBatch, options: LossOptions = {}): tf.Scalar {
    const weights = lossWeights(batch);
    return tf.tidy(() => {
      const lp = targetLogProbs(this.head(this.hiddenStates(batch, { training: options.training ?? true })), batch.targets);
      const total = tf.neg(tf.sum(tf.mul(lp, tf.tensor1d(weights.values))));
      return ((options.reduction ?? "mean") === "sum" ? total : tf.div(total, Math.max(weights.count, 1e-8))) as tf.Scalar;
    });
  }

  /**
   * One forward and backward pass: the loss and the gradient of every trainable parameter
   * (or of `variables`, e.g. LoRA factors) by name. The caller owns and disposes the grads.
   */
  lossAndGrads(batch: LmBatch, options: LossOptions & { variables?: Map<string, tf.Variable> } = {}): LossAndGrads {
    const { value, grads } = this.valueAndGrads(() => this.loss(batch, options), options.variables);
    const loss = value.dataSync()[0]!;
    value.dispose();
    return { loss, tokens: lossWeights(batch).count, grads };
  }

  /**
   * tf.variableGrads for any scalar objective over this model (DPO, distillation), with
   * gradients keyed by Hugging Face name (or by the keys of `variables`).
   */
  valueAndGrads(f: () => tf.Scalar, variables?: Map<string, tf.Variable>): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
    const vars = variables ?? this.trainableVariables();
    const byVarName = new Map([...vars].map(([key, v]) => [v.name, key]));
    const { value, grads } = tf.variableGrads(f, [...vars.values()]);
    const out = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) out.set(byVarName.get(varName) ?? this.names.get(varName) ?? varName, g);
    return { value, grads: out };
  }

  /** An empty cache for incremental decoding. Dispose it with disposeCache. */
  newCache(): KvCache {
    return { length: 0, keys: [], values: [] };
  }

  /**
   * Runs `batch` (the next tokens of each row, all rows the same count) after what `cache`
   * holds, appends their keys and values to it, and returns their logits [B, t, vocab].
   * A prompt goes in once (prefill), then one token per call. The attention mask, if given,
   * covers the cached positions and the new ones ([B * (cache.length + t)]).
   */
  decode(batch: TokenBatch, cache: KvCache): tf.Tensor3D {
    this.checkBatch(batch, cache.length);
    const { batchSize, seqLen } = batch;
    const past = cache.length;
    this.decoding = true;
    const result = tf.tidy(() => {
      const ids = tf.tensor1d(batch.inputIds, "int32");
      const mask = this.maskTensor(batchSize, seqLen, batch.attentionMask, past);
      const [cos, sin] = this.ropeRows(past, seqLen);
      let h = this.embedTokens(ids);
      const keys: tf.Tensor3D[] = [];
      const values: tf.Tensor3D[] = [];
      for (let i = 0; i < this.config.num_hidden_layers; i++) {
        const layerPast = past > 0 ? { k: cache.keys[i]!, v: cache.values[i]! } : undefined;
        const r = this.layer(i, h, batchSize, seqLen, cos, sin, mask, layerPast, false);
        h = r.h;
        keys.push(r.k);
        values.push(r.v);
      }
      const logits = this.head(rmsNorm(h, this.p1("model.norm.weight"), this.config.rms_norm_eps));
      return { logits: tf.reshape(logits, [batchSize, seqLen, this.config.vocab_size]) as tf.Tensor3D, keys, values };
    });
    this.decoding = false;
    tf.dispose([...cache.keys, ...cache.values]);
    cache.keys = result.keys;
    cache.values = result.values;
    cache.length = past + seqLen;
    return result.logits;
  }

  /** Frees the transposed weights decoding keeps (one more copy of the projections). */
  releaseDecodeWeights(): void {
    for (const { t } of this.transposed.values()) t.dispose();
    this.transposed.clear();
  }

  disposeCache(cache: KvCache): void {
    tf.dispose([...cache.keys, ...cache.values]);
    cache.keys = [];
    cache.values = [];
    cache.length = 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.adapter?.dispose?.();
    for (const v of this.params.values()) v.dispose();
    this.releaseDecodeWeights();
    if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
  }

  // ---- internals ----

  private p1(name: string): tf.Tensor1D {
    return this.params.get(name) as tf.Tensor as tf.Tensor1D;
  }

  private p2(name: string): tf.Tensor2D {
    return this.params.get(name) as tf.Tensor as tf.Tensor2D;
  }

  private checkBatch(batch: TokenBatch, past = 0): void {
    const n = batch.batchSize * batch.seqLen;
    if (!Number.isInteger(batch.batchSize) || !Number.isInteger(batch.seqLen) || batch.batchSize < 1 || batch.seqLen < 1) {
      throw new Error(`batch: batchSize and seqLen must be positive integers, got ${batch.batchSize} x ${batch.seqLen}`);
    }
    if (batch.inputIds.length !== n) throw new Error(`batch: ${batch.inputIds.length} input ids for ${batch.batchSize} x ${batch.seqLen}`);
    if (batch.attentionMask && batch.attentionMask.length !== batch.batchSize * (past + batch.seqLen)) {
      throw new Error(`batch: attentionMask has ${batch.attentionMask.length} entries, expected ${batch.batchSize * (past + batch.seqLen)}`);
    }
    if (past + batch.seqLen > this.config.max_position_embeddings) {
      throw new Error(`sequence of ${past + batch.seqLen} tokens is longer than max_position_embeddings (${this.config.max_position_embeddings})`);
    }
    const vocab = this.config.vocab_size;
    for (let i = 0; i < n; i++) {
      const id = batch.inputIds[i]!;
      if (!(id >= 0 && id < vocab)) throw new Error(`batch: token id ${id} at ${i} is outside the vocabulary (0..${vocab - 1})`);
    }
  }

  private maskTensor(batch: number, seq: number, attentionMask: ArrayLike<number> | undefined, past: number): tf.Tensor4D | null {
    // One new token with no padding may attend to everything before it: no mask at all.
    if (seq === 1 && !attentionMask) return null;
    // Without padding every row has the same causal mask: one [1, 1, T, T] broadcasts.
    const rows = attentionMask ? batch : 1;
    return tf.tensor4d(causalMaskBias(rows, seq, attentionMask, past), [rows, 1, seq, past + seq]);
  }

  /** cos and sign-folded sin rows for positions [start, start+count), as [count, 1, headDim]. */
  private ropeRows(start: number, count: number): [tf.Tensor3D, tf.Tensor3D] {
    const d = headDim(this.config);
    const need = start + count;
    if (!this.rope || this.rope.positions < need) {
      // Grown by doubling and kept: the tables are constants shared by every step.
      const positions = Math.min(Math.max(need, 2 * (this.rope?.positions ?? 128)), this.config.max_position_embeddings);
      const t = ropeTables(positions, d, this.config.rope_theta);
      if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
      this.rope = {
        positions,
        cos: tf.keep(tf.tensor2d(t.cos, [positions, d])),
        sin: tf.keep(tf.tensor2d(t.sinSigned, [positions, d])),
      };
    }
    const { cos, sin } = this.rope;
    return [tf.reshape(tf.slice(cos, [start, 0], [count, d]), [count, 1, d]), tf.reshape(tf.slice(sin, [start, 0], [count, d]), [count, 1, d])];
  }

  /** W^T for decoding, transposed again only when the weight has changed since. */
  private weightT(name: string): tf.Tensor2D {
    const w = this.params.get(name)!;
    const source = (w as unknown as { dataId: object }).dataId;
    const hit = this.transposed.get(name);
    if (hit && hit.source === source) return hit.t;
    hit?.t.dispose();
    const t = tf.keep(tf.transpose(w as tf.Tensor as tf.Tensor2D));
    this.transposed.set(name, { source, t });
    return t;
  }

  private product(x: tf.Tensor2D, weightName: string, biasName?: string): tf.Tensor2D {
    const b = biasName ? this.p1(biasName) : undefined;
    // A few rows at a time (decoding): x W^T with the cached W^T; else the trainable op.
    if (this.decoding && x.shape[0] <= 16) {
      const y = tf.matMul(x, this.weightT(weightName)) as tf.Tensor2D;
      return b ? (tf.add(y, b) as tf.Tensor2D) : y;
    }
    return linear(x, this.p2(weightName), b);
  }

  private proj(x: tf.Tensor2D, weightName: string, training: boolean, biasName?: string): tf.Tensor2D {
    const y = this.product(x, weightName, biasName);
    const delta = this.adapter?.delta(weightName, x, training);
    return delta ? tf.add(y, delta) : y;
  }

  private head(h: tf.Tensor2D): tf.Tensor2D {
    const w = this.config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight";
    // A frozen output layer (LoRA) gets no gradient: dh only, not the vocabulary-sized dW.
    if (!this.decoding && !this.params.get(w)!.trainable) return frozenLinear(h, this.p2(w));
    return this.product(h, w);
  }

  /** The embedding rows of `ids`; a frozen table (LoRA) by a plain gather, with no dense [vocab, dim] gradient. */
  private embedTokens(ids: tf.Tensor1D): tf.Tensor2D {
    const table = this.params.get("model.embed_tokens.weight")!;
    return table.trainable ? embed(table as tf.Tensor as tf.Tensor2D, ids) : (tf.gather(table, ids) as tf.Tensor2D);
  }

  private fusedLayer(i: number, h: tf.Tensor2D, batch: number, seq: number, cos: tf.Tensor3D, sin: tf.Tensor3D, mask: tf.Tensor4D | null, training: boolean): tf.Tensor2D {
    const c = this.config;
    const p = `model.layers.${i}.`;
    const params: LayerParams = {
      inputNorm: this.p1(`${p}input_layernorm.weight`),
      q: this.p2(`${p}self_attn.q_proj.weight`),
      k: this.p2(`${p}self_attn.k_proj.weight`),
      v: this.p2(`${p}self_attn.v_proj.weight`),
      ...(hasQkvBias(c)
        ? { qBias: this.p1(`${p}self_attn.q_proj.bias`), kBias: this.p1(`${p}self_attn.k_proj.bias`), vBias: this.p1(`${p}self_attn.v_proj.bias`) }
        : {}),
      o: this.p2(`${p}self_attn.o_proj.weight`),
      postNorm: this.p1(`${p}post_attention_layernorm.weight`),
      gate: this.p2(`${p}mlp.gate_proj.weight`),
      up: this.p2(`${p}mlp.up_proj.weight`),
      down: this.p2(`${p}mlp.down_proj.weight`),
    };
    return decoderLayer(h, params, cos, sin, mask, {
      batch,
      seq,
      heads: c.num_attention_heads,
      kvHeads: c.num_key_value_heads,
      headDim: headDim(c),
      eps: c.rms_norm_eps,
    }, this.adapter ? this.layerLora(p, training) : undefined);
  }

  /** Layer `p`'s adapters for the fused layer, in delta()'s order (q, k, v, o, gate, up, down: the same dropout draws). */
  private layerLora(p: string, training: boolean): LayerLora {
    const a = this.adapter!;
    const names: Record<LoraProjection, string> = {
      q: "self_attn.q_proj", k: "self_attn.k_proj", v: "self_attn.v_proj", o: "self_attn.o_proj",
      gate: "mlp.gate_proj", up: "mlp.up_proj", down: "mlp.down_proj",
    };
    const adapters: LayerLora["adapters"] = {};
    for (const which of LORA_PROJECTIONS) {
      const f = a.fusedFactors!(`${p}${names[which]}.weight`, training);
      if (f) adapters[which] = f;
    }
    return { scaling: a.scaling ?? 1, adapters };
  }

  /** One decoder layer on h [B*T, hidden]; returns the new h and this call's k, v (with any past prepended). */
  private layer(
    i: number,
    h: tf.Tensor2D,
    batch: number,
    seq: number,
    cos: tf.Tensor3D,
    sin: tf.Tensor3D,
    mask: tf.Tensor4D | null,
    past: { k: tf.Tensor3D; v: tf.Tensor3D } | undefined,
    training: boolean,
  ): { h: tf.Tensor2D; k: tf.Tensor3D; v: tf.Tensor3D } {
    const c = this.config;
    const p = `model.layers.${i}.`;
    const d = headDim(c);
    const heads = c.num_attention_heads;
    const kvHeads = c.num_key_value_heads;
    const groups = heads / kvHeads;
    const bias = hasQkvBias(c);

    const x = rmsNorm(h, this.p1(`${p}input_layernorm.weight`), c.rms_norm_eps);
    const q = this.proj(x, `${p}self_attn.q_proj.weight`, training, bias ? `${p}self_attn.q_proj.bias` : undefined);
    const k = this.proj(x, `${p}self_attn.k_proj.weight`, training, bias ? `${p}self_attn.k_proj.bias` : undefined);
    const v = this.proj(x, `${p}self_attn.v_proj.weight`, training, bias ? `${p}self_attn.v_proj.bias` : undefined);
    // Scaling q before the product touches T*D values instead of T*T scores.
    const qr = applyRope(tf.reshape(tf.mul(q, 1 / Math.sqrt(d)), [batch, seq, heads, d]), cos, sin);
    const kr = applyRope(tf.reshape(k, [batch, seq, kvHeads, d]), cos, sin);
    // [B, T, H, D] -> [B, H, T, D] -> [B*KV, G*T, D]: the G query heads of a kv head stacked as rows.
    const qh = tf.reshape(tf.transpose(qr, [0, 2, 1, 3]), [batch * kvHeads, groups * seq, d]);
    let kh = tf.reshape(tf.transpose(kr, [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    let vh = tf.reshape(tf.transpose(tf.reshape(v, [batch, seq, kvHeads, d]), [0, 2, 1, 3]), [batch * kvHeads, seq, d]) as tf.Tensor3D;
    if (past) {
      kh = tf.concat([past.k, kh], 1);
      vh = tf.concat([past.v, vh], 1);
    }
    const o = groupedAttention(qh as tf.Tensor3D, kh, vh, mask, batch, groups);
    const o2 = tf.reshape(tf.transpose(tf.reshape(o, [batch, heads, seq, d]), [0, 2, 1, 3]), [batch * seq, heads * d]) as tf.Tensor2D;
    const h1 = tf.add(h, this.proj(o2, `${p}self_attn.o_proj.weight`, training)) as tf.Tensor2D;

    const x2 = rmsNorm(h1, this.p1(`${p}post_attention_layernorm.weight`), c.rms_norm_eps);
    const g = this.proj(x2, `${p}mlp.gate_proj.weight`, training);
    const u = this.proj(x2, `${p}mlp.up_proj.weight`, training);
    const h2 = tf.add(h1, this.proj(swiglu(g, u), `${p}mlp.down_proj.weight`, training)) as tf.Tensor2D;
    return { h: h2, k: kh, v: vh };
  }
}

/** Per-position loss weights (0 for IGNORE_INDEX targets) and their sum. */
export function lossWeights(batch: LmBatch): { values: Float32Array; count: number } {
  const n = batch.batchSize * batch.seqLen;
  if (batch.targets.length !== n) throw new Error(`batch: ${batch.targets.length} targets for ${batch.batchSize} x ${batch.seqLen}`);
  if (batch.lossMask && batch.lossMask.length !== n) throw new Error(`batch: lossMask has ${batch.lossMask.length} entries, expected ${n}`);
  const values = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (batch.targets[i] === IGNORE_INDEX) continue;
    const w = batch.lossMask ? Number(batch.lossMask[i]) : 1;
    values[i] = w;
    count += w;
  }
  return { values, count };
}

/**
 * A causal-LM batch from token sequences: each row is cut to seqLen + 1 tokens, input =
 * tokens[0..-1], target = tokens[1..], right-padded with padId (attention mask 0, target
 * ignored). `completionStart[i]`, when given, masks row i's targets before that token index
 * (SFT: the loss counts only the completion).
 */
export function makeLmBatch(rows: ArrayLike<number>[], seqLen: number, padId: number, completionStart?: number[]): LmBatch {
  const b = rows.length;
  const inputIds = new Int32Array(b * seqLen).fill(padId);
  const targets = new Int32Array(b * seqLen).fill(IGNORE_INDEX);
  const attentionMask = new Uint8Array(b * seqLen);
  let padded = false;
  rows.forEach((row, r) => {
    const n = Math.min(row.length, seqLen + 1);
    if (n - 1 < seqLen) padded = true;
    const start = completionStart?.[r] ?? 0;
    for (let t = 0; t < n - 1; t++) {
      inputIds[r * seqLen + t] = row[t]!;
      attentionMask[r * seqLen + t] = 1;
      // target at position t is token t+1; it counts when token t+1 is in the completion.
      if (t + 1 >= start) targets[r * seqLen + t] = row[t + 1]!;
    }
  });
  return { batchSize: b, seqLen, inputIds, targets, ...(padded ? { attentionMask } : {}) };
}
