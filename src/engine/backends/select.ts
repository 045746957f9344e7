// Picks and activates the TensorFlow.js backend that trains: the one the user named, or with
// `auto` the fastest that loads here, and says which and why (the dashboard and the log show
// the reason, so "why is this slow" has an answer).
import type * as tfType from "@tensorflow/tfjs-core";
import { BACKENDS, type BackendName } from "../../core/protocol";
import { BACKEND_PREFERENCE, loadTf, SOFTWARE_GPU, type TrainingBackend } from "./probe";
import { patchWasmKernels } from "./wasm-kernels";

/** What a user may ask for (core/protocol's one list): a backend, or `auto`. */
export type BackendChoice = BackendName;

export interface SelectedBackend {
  backend: TrainingBackend;
  /** What it runs on: "CPU, WebAssembly SIMD (XNNPACK), one thread", a GPU's name... */
  device: string;
  /** One sentence: why this backend (and, for auto, why not the faster ones). */
  reason: string;
}

export class BackendError extends Error {
  constructor(
    readonly backend: BackendChoice,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "BackendError";
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? text;
}

/** Checks that the active backend computes a matMul correctly, so "selected" means "works". */
async function smoke(tf: typeof tfType): Promise<void> {
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const p = tf.matMul(a, a);
  const v = await p.data();
  tf.dispose([a, p]);
  const want = [7, 10, 15, 22];
  if (!want.every((x, i) => Math.abs((v[i] ?? NaN) - x) < 1e-4)) throw new Error(`a 2x2 matMul gave ${Array.from(v).join(",")}`);
}

async function use(tf: typeof tfType, name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") failed`);
  await tf.ready();
  await smoke(tf);
}

async function activateWebgpu(tf: typeof tfType): Promise<string> {
  const webgpu = (await import("webgpu")) as unknown as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("no WebGPU adapter: Dawn found no Vulkan, Metal or D3D12 GPU driver");
  const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; description?: string; device?: string } }).info;
  const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(" ") || "GPU adapter";
  if (SOFTWARE_GPU.test(name)) throw new Error(`the only WebGPU adapter is a software renderer (${name}), slower than wasm`);
  // tfjs-backend-webgpu registers itself at import only if navigator.gpu exists, as in a
  // browser. Node 20 has no navigator; Node 21+ has one without gpu.
  Object.assign(globalThis, webgpu.globals);
  if (!g.navigator) (globalThis as Record<string, unknown>).navigator = {};
  Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  require("@tensorflow/tfjs-backend-webgpu");
  await use(tf, "webgpu");
  return name;
}

async function activateTensorflow(tf: typeof tfType): Promise<string> {
  const failures: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
    } catch {
      failures.push(`${pkg} is not installed`);
      continue;
    }
    try {
      // Registers the "tensorflow" backend in tfjs's global engine, which our tfjs-core shares.
      // pkg is one of the two literal names above (a variable so the bundle need not resolve them).
      // eslint-disable-next-line no-restricted-syntax
      require(pkg);
      await use(tf, "tensorflow");
      return `${pkg} (libtensorflow${pkg.endsWith("gpu") ? ", CUDA" : ", CPU"})`;
    } catch (err) {
      failures.push(`${pkg} did not load: ${firstLine(err)}`);
    }
  }
  throw new Error(failures.join("; "));
}

/** Activates one backend; throws with the reason it cannot run here. Returns what it runs on. */
export async function activateBackend(backend: TrainingBackend): Promise<string> {
  const tf = loadTf();
  switch (backend) {
    case "tensorflow":
      return activateTensorflow(tf);
    case "webgpu":
      return activateWebgpu(tf);
    case "wasm":
      require("@tensorflow/tfjs-backend-wasm");
      patchWasmKernels();
      await use(tf, "wasm");
      return "CPU, WebAssembly SIMD (XNNPACK), one thread";
    case "cpu":
      await use(tf, "cpu");
      return "CPU, plain JavaScript (for debugging: slow)";
  }
}

const HINTS: Record<TrainingBackend, string> = {
  tensorflow: "Optional: install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node next to RepoTune; it downloads libtensorflow.",
  webgpu: "Needs a GPU with a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver.",
  wasm: "Reinstall RepoTune: the @tensorflow/tfjs-backend-wasm files are missing or damaged.",
  cpu: "Reinstall RepoTune: @tensorflow/tfjs-backend-cpu is missing or damaged.",
};

/**
 * Makes `choice` the active tfjs backend. `auto` tries tensorflow, webgpu, wasm, cpu in that
 * order (fastest first) and takes the first that loads and computes; a named backend that
 * cannot run is an error (never a silent fallback: the user asked for it).
 */
export async function selectBackend(choice: BackendChoice = "auto"): Promise<SelectedBackend> {
  if (choice !== "auto") {
    if (!BACKEND_PREFERENCE.includes(choice)) throw new BackendError(choice, `unknown backend "${choice}" (choose one of ${BACKENDS.join(", ")})`);
    try {
      const device = await activateBackend(choice);
      return { backend: choice, device, reason: `${choice} was asked for` };
    } catch (err) {
      throw new BackendError(choice, `backend ${choice} cannot run here: ${firstLine(err)}`, HINTS[choice]);
    }
  }
  const skipped: string[] = [];
  for (const backend of BACKEND_PREFERENCE) {
    try {
      const device = await activateBackend(backend);
      const why = skipped.length ? ` (faster ones unavailable: ${skipped.join("; ")})` : "";
      return { backend, device, reason: `auto picked ${backend}, the fastest backend that loads here${why}` };
    } catch (err) {
      skipped.push(`${backend}: ${firstLine(err)}`);
    }
  }
  throw new BackendError("auto", `no TensorFlow.js backend loads here: ${skipped.join("; ")}`, HINTS.wasm);
}
