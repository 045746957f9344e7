// llama.cpp's own source, from the git bundle node-llama-cpp ships in its package: a third-party
// reference available offline (gguf-py's writer and dequantisers, the real Qwen2 vocabulary
// with its expected ids). Cloned once per machine into the temp folder; a clone takes ~2 s.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readGguf } from "../../src/core/formats/gguf/reader";
import { bool, GGUF_TOKEN_TYPE, i32s, strings, u32, type GgufMetadata } from "../../src/core/formats/gguf/types";

const BUNDLE_IN_PACKAGE = join("node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");

/** From this file (tests) or the CLI bundle in out/ (benchmarks), upwards. */
function findBundle(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, BUNDLE_IN_PACKAGE))) return join(dir, BUNDLE_IN_PACKAGE);
  }
  throw new Error(`${BUNDLE_IN_PACKAGE} is missing: run npm ci (node-llama-cpp ships llama.cpp's source there)`);
}

let cached: string | undefined;

/** The folder of a checkout of llama.cpp's source; throws with the reason when it cannot be made. */
export function llamaSource(): string {
  if (cached) return cached;
  const bundle = findBundle();
  const dir = join(tmpdir(), `repotune-llama-src-${process.getuid?.() ?? 0}`);
  if (!existsSync(join(dir, "gguf-py", "gguf", "__init__.py"))) {
    const partial = `${dir}.${process.pid}.part`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const r = spawnSync("git", ["clone", "-q", bundle, partial], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git clone of ${bundle} failed: ${r.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    // Several test processes may race here; whichever renames first wins, the rest reuse it.
    try {
      renameSync(partial, dir);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  cached = dir;
  return dir;
}

/** gguf-py's folder, for PYTHONPATH. */
export function ggufPyPath(): string {
  return join(llamaSource(), "gguf-py");
}

/** The real Qwen2 vocabulary (151,936 ids) and its expected-ids test pairs. */
export function qwen2VocabFiles(): { gguf: string; inp: string; out: string } {
  const base = join(llamaSource(), "models", "ggml-vocab-qwen2.gguf");
  return { gguf: base, inp: `${base}.inp`, out: `${base}.out` };
}

/** Qwen2.5's tokens at ids 151646-151664, in order: Qwen2's release left those rows [PAD...]. */
export const QWEN25_ADDED_TOKENS = [
  "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>",
  "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>",
  "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
] as const;
export const QWEN25_FIRST_ADDED_ID = 151646;

/**
 * The tokenizer.ggml.* metadata of Qwen2.5-Coder: the real Qwen2 vocabulary with Qwen2.5's
 * added tokens as control tokens and llama.cpp's FIM keys, for GGUFs of the real size.
 */
export function qwen25TokenizerMetadata(): GgufMetadata {
  const file = readGguf(qwen2VocabFiles().gguf);
  const tokens = [...(file.metadata.get("tokenizer.ggml.tokens")!.value as string[])];
  const types = [...(file.metadata.get("tokenizer.ggml.token_type")!.value as number[])];
  QWEN25_ADDED_TOKENS.forEach((t, i) => {
    tokens[QWEN25_FIRST_ADDED_ID + i] = t;
    types[QWEN25_FIRST_ADDED_ID + i] = GGUF_TOKEN_TYPE.control;
  });
  const meta: GgufMetadata = new Map([...file.metadata].filter(([k]) => k.startsWith("tokenizer.")));
  meta.set("tokenizer.ggml.tokens", strings(tokens));
  meta.set("tokenizer.ggml.token_type", i32s(types));
  const id = (t: string): number => QWEN25_FIRST_ADDED_ID + QWEN25_ADDED_TOKENS.indexOf(t as (typeof QWEN25_ADDED_TOKENS)[number]);
  for (const [key, t] of [["fim_pre", "<|fim_prefix|>"], ["fim_suf", "<|fim_suffix|>"], ["fim_mid", "<|fim_middle|>"], ["fim_pad", "<|fim_pad|>"], ["fim_rep", "<|repo_name|>"], ["fim_sep", "<|file_sep|>"]] as const) {
    meta.set(`tokenizer.ggml.${key}_token_id`, u32(id(t)));
  }
  meta.set("tokenizer.ggml.eos_token_id", u32(151643));
  meta.set("tokenizer.ggml.bos_token_id", u32(151643));
  meta.set("tokenizer.ggml.padding_token_id", u32(151643));
  meta.set("tokenizer.ggml.add_bos_token", bool(false));
  return meta;
}
