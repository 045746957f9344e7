// A plain float64 Qwen2 forward pass (as in shared/notes: the check llama.cpp was held to),
// straight from the Hugging Face modeling code: RMSNorm, rotary over halves, grouped-query
// causal attention with q/k/v bias (Qwen2; none in Llama), SwiGLU, tied or separate head. Returns log-probs.
// To be replaced by (or checked against) the tfjs model of src/engine/model/ once it lands.
import type { TinyConfig } from "./tiny-checkpoint";

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

function get(w: Weights, name: string): Float32Array {
  const t = w.get(name);
  if (!t) throw new Error(`reference forward: no weight ${name}`);
  return t.data;
}

/** y[out] = W[out][in] x[in] (+ b). */
function linear(x: Float64Array, W: Float32Array, out: number, b?: Float32Array): Float64Array {
  const inp = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o]! : 0;
    const row = o * inp;
    for (let i = 0; i < inp; i++) s += W[row + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rmsnorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * w[i]!);
}

function rope(v: Float64Array, heads: number, hd: number, pos: number, base: number): void {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const theta = pos * Math.pow(base, (-2 * i) / hd);
      const c = Math.cos(theta), s = Math.sin(theta);
      const a = v[h * hd + i]!, b = v[h * hd + i + half]!;
      v[h * hd + i] = a * c - b * s;
      v[h * hd + i + half] = b * c + a * s;
    }
  }
}

/** Log-probs of the next token after each position: rows of vocab_size. */
export function referenceLogProbs(cfg: TinyConfig, w: Weights, tokens: number[]): Float64Array[] {
  const H = cfg.hidden_size, nh = cfg.num_attention_heads, nkv = cfg.num_key_value_heads;
  const hd = H / nh, group = nh / nkv;
  const keys: Float64Array[][] = Array.from({ length: cfg.num_hidden_layers }, () => []);
  const values: Float64Array[][] = Array.from({ length: cfg.num_hidden_layers }, () => []);
  const emb = get(w, "model.embed_tokens.weight");
  const head = cfg.tie_word_embeddings ? emb : get(w, "lm_head.weight");
  const out: Float64Array[] = [];
  tokens.forEach((tok, pos) => {
    let x = Float64Array.from(emb.subarray(tok * H, tok * H + H));
    for (let l = 0; l < cfg.num_hidden_layers; l++) {
      const p = `model.layers.${l}`;
      const a = rmsnorm(x, get(w, `${p}.input_layernorm.weight`), cfg.rms_norm_eps);
      const q = linear(a, get(w, `${p}.self_attn.q_proj.weight`), nh * hd, w.get(`${p}.self_attn.q_proj.bias`)?.data);
      const k = linear(a, get(w, `${p}.self_attn.k_proj.weight`), nkv * hd, w.get(`${p}.self_attn.k_proj.bias`)?.data);
      const v = linear(a, get(w, `${p}.self_attn.v_proj.weight`), nkv * hd, w.get(`${p}.self_attn.v_proj.bias`)?.data);
      rope(q, nh, hd, pos, cfg.rope_theta);
      rope(k, nkv, hd, pos, cfg.rope_theta);
      keys[l]!.push(k);
      values[l]!.push(v);
      const att = new Float64Array(nh * hd);
      for (let h = 0; h < nh; h++) {
        const kvh = Math.floor(h / group);
        const scores = keys[l]!.map((kk) => {
          let s = 0;
          for (let i = 0; i < hd; i++) s += q[h * hd + i]! * kk[kvh * hd + i]!;
          return s / Math.sqrt(hd);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((s, v2) => s + v2, 0);
        values[l]!.forEach((vv, t) => {
          for (let i = 0; i < hd; i++) att[h * hd + i]! += (e[t]! / z) * vv[kvh * hd + i]!;
        });
      }
      const o = linear(att, get(w, `${p}.self_attn.o_proj.weight`), H);
      x = x.map((xi, i) => xi + o[i]!);
      const b = rmsnorm(x, get(w, `${p}.post_attention_layernorm.weight`), cfg.rms_norm_eps);
      const g = linear(b, get(w, `${p}.mlp.gate_proj.weight`), cfg.intermediate_size);
      const u = linear(b, get(w, `${p}.mlp.up_proj.weight`), cfg.intermediate_size);
      const act = g.map((gi, i) => (gi / (1 + Math.exp(-gi))) * u[i]!);
      const d = linear(act, get(w, `${p}.mlp.down_proj.weight`), H);
      x = x.map((xi, i) => xi + d[i]!);
    }
    const logits = linear(rmsnorm(x, get(w, "model.norm.weight"), cfg.rms_norm_eps), head, cfg.vocab_size);
    const m = Math.max(...logits);
    let z = 0;
    for (const l of logits) z += Math.exp(l - m);
    out.push(logits.map((l) => l - m - Math.log(z)));
  });
  return out;
}
