// Finds out which TensorFlow.js backends can run on this machine, and why the others
// cannot, without leaving any of them selected. Used by `repotune doctor` and by
// `auto` backend selection.
import type * as tfType from "@tensorflow/tfjs-core";
import type { BackendName } from "../../core/protocol";

/** A backend that trains: the protocol's backend names less `auto`. */
export type TrainingBackend = Exclude<BackendName, "auto">;

export interface BackendProbe {
  backend: TrainingBackend;
  available: boolean;
  /** What it runs on when available (a GPU adapter's name, "CPU, SIMD"...), or why not. */
  detail: string;
  /** What the user can do about it, when it is not available. */
  hint?: string;
}

/** Software rasterisers expose a Vulkan device but run on the CPU, slower than wasm. */
export const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|software/i;

/** The order `auto` prefers: fastest first. */
export const BACKEND_PREFERENCE: readonly TrainingBackend[] = ["tensorflow", "webgpu", "wasm", "cpu"];

let tfModule: typeof tfType | undefined;
export function loadTf(): typeof tfType {
  // Loaded lazily so that importing the engine costs nothing until training starts.
  if (!tfModule) {
    tfModule = require("@tensorflow/tfjs-core") as typeof tfType;
    require("@tensorflow/tfjs-backend-cpu");
    // PROD silences tfjs's console banners ("install our node backend") and skips debug checks.
    tfModule.env().set("PROD", true);
  }
  return tfModule;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? text;
}

/** Runs a small matmul on the backend and checks the answer, so "available" means "computes". */
async function smokeTest(tf: typeof tfType, backend: string): Promise<void> {
  const previous = tf.getBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") returned false`);
  await tf.ready();
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const product = tf.matMul(a, a);
  const values = await product.data();
  tf.dispose([a, product]);
  if (previous && previous !== backend) await tf.setBackend(previous);
  const expected = [7, 10, 15, 22];
  if (!expected.every((x, i) => Math.abs((values[i] ?? NaN) - x) < 1e-4)) {
    throw new Error(`a 2x2 matMul gave ${Array.from(values).join(",")}, expected ${expected.join(",")}`);
  }
}

export async function probeWasm(): Promise<BackendProbe> {
  try {
    const tf = loadTf();
    require("@tensorflow/tfjs-backend-wasm");
    await smokeTest(tf, "wasm");
    return { backend: "wasm", available: true, detail: "CPU, WebAssembly SIMD (XNNPACK), one thread" };
  } catch (err) {
    return {
      backend: "wasm",
      available: false,
      detail: errorText(err),
      hint: "Reinstall RepoTune: the @tensorflow/tfjs-backend-wasm files are missing or damaged.",
    };
  }
}

export async function probeCpu(): Promise<BackendProbe> {
  try {
    await smokeTest(loadTf(), "cpu");
    return { backend: "cpu", available: true, detail: "CPU, plain JavaScript (for debugging: slow)" };
  } catch (err) {
    return { backend: "cpu", available: false, detail: errorText(err) };
  }
}

export async function probeWebgpu(): Promise<BackendProbe> {
  let webgpu: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    webgpu = (await import("webgpu")) as unknown as typeof webgpu;
  } catch (err) {
    return {
      backend: "webgpu",
      available: false,
      detail: `the "webgpu" package (Dawn) did not load: ${errorText(err)}`,
      hint: "It is an optional dependency; reinstall RepoTune on a platform Dawn supports (Linux, macOS, Windows x64/arm64).",
    };
  }
  try {
    const gpu = webgpu.create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return {
        backend: "webgpu",
        available: false,
        detail: "no WebGPU adapter: Dawn found no Vulkan, Metal or D3D12 GPU driver",
        hint: "Install your GPU's Vulkan driver (Linux), or train on the CPU (wasm).",
      };
    }
    const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; description?: string } }).info;
    const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(" ") || "GPU adapter";
    // As selectBackend: a software renderer is a CPU in disguise, slower than wasm.
    if (SOFTWARE_GPU.test(name)) {
      return { backend: "webgpu", available: false, detail: `only a software renderer (${name})`, hint: "Install your GPU's Vulkan driver, or train on the CPU (wasm)." };
    }
    return { backend: "webgpu", available: true, detail: name };
  } catch (err) {
    return { backend: "webgpu", available: false, detail: errorText(err) };
  }
}

export async function probeTensorflow(): Promise<BackendProbe> {
  // Optional native backends: never dependencies of RepoTune, used when the user installed one.
  const failures: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
    } catch {
      failures.push(`${pkg} is not installed`);
      continue;
    }
    try {
      // pkg is one of the two literal names above (a variable so the bundle need not resolve them).
      // eslint-disable-next-line no-restricted-syntax
      require(pkg);
      return { backend: "tensorflow", available: true, detail: `${pkg} (libtensorflow)` };
    } catch (err) {
      failures.push(`${pkg} is installed but did not load: ${errorText(err)}`);
    }
  }
  return {
    backend: "tensorflow",
    available: false,
    detail: failures.join("; "),
    hint: "Optional. For CUDA training, install @tensorflow/tfjs-node-gpu next to RepoTune (it needs internet access for libtensorflow).",
  };
}

/** Probes every backend, fastest first. */
export async function probeAllBackends(): Promise<BackendProbe[]> {
  const probes: Record<TrainingBackend, () => Promise<BackendProbe>> = {
    tensorflow: probeTensorflow,
    webgpu: probeWebgpu,
    wasm: probeWasm,
    cpu: probeCpu,
  };
  const results: BackendProbe[] = [];
  for (const name of BACKEND_PREFERENCE) results.push(await probes[name]());
  return results;
}
