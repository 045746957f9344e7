// llama.cpp's own source, from the git bundle node-llama-cpp ships in its package: a third-party
// reference available offline (gguf-py's writer and dequantisers, the real Qwen2 vocabulary
// with its expected ids). Cloned once per machine into the temp folder; a clone takes ~2 s.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUNDLE = join(__dirname, "..", "..", "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");

let cached: string | undefined;

/** The folder of a checkout of llama.cpp's source; throws with the reason when it cannot be made. */
export function llamaSource(): string {
  if (cached) return cached;
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm ci (node-llama-cpp ships llama.cpp's source there)`);
  const dir = join(tmpdir(), `repotune-llama-src-${process.getuid?.() ?? 0}`);
  if (!existsSync(join(dir, "gguf-py", "gguf", "__init__.py"))) {
    const partial = `${dir}.${process.pid}.part`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const r = spawnSync("git", ["clone", "-q", BUNDLE, partial], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git clone of ${BUNDLE} failed: ${r.stderr}`);
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
