// Shared by the post-training tests: a seeded generator, the PyTorch reference runner, the
// backends to run on, and tolerant comparisons.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { seededRandom } from "../../../src/core/random/seeded-random";

/** A tiny seeded PRNG, so every test tensor is the same on every run. */
export function seeded(seed: number): () => number {
  return seededRandom(seed);
}

/** n numbers roughly N(0, scale^2) (sum of uniforms: enough for test data). */
export function randn(rand: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (rand() + rand() + rand() - 1.5) * 2 * scale);
}

/** Debian's PyTorch lives at /usr/bin/python3, not the pyenv python3 on PATH. */
export const PYTHON = "/usr/bin/python3";

let torchOk: boolean | undefined;
export function torchAvailable(): boolean {
  if (torchOk === undefined) {
    torchOk = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  }
  return torchOk;
}

/** Runs test/reference/<script> with the cases as JSON on stdin; returns its JSON answer. */
export function runReference<T>(script: string, input: unknown): T {
  const path = join(__dirname, "..", "..", "reference", script);
  const res = spawnSync(PYTHON, [path], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`${script} failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** Backends the objectives must agree on: cpu always; wasm (the CPU default) when it loads. */
export async function useBackend(name: "cpu" | "wasm"): Promise<boolean> {
  if (name === "wasm") {
    try {
      require("@tensorflow/tfjs-backend-wasm");
    } catch {
      return false;
    }
  }
  tf.env().set("PROD", true);
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok;
}

export function assertClose(actual: number, expected: number, tol: { abs?: number; rel?: number }, what: string): void {
  const abs = tol.abs ?? 0;
  const rel = tol.rel ?? 0;
  const err = Math.abs(actual - expected);
  assert.ok(err <= abs + rel * Math.abs(expected), `${what}: got ${actual}, expected ${expected} (error ${err.toExponential(2)})`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { abs?: number; rel?: number }, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) assertClose(actual[i]!, expected[i]!, tol, `${what}[${i}]`);
}
