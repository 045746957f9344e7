// Finding Debian's PyTorch (the reference the engine is checked against) and saying how to
// get it. Outside CI a machine without it skips the parity tests with that message; in CI
// (CI=true) its absence is a failure, so the check can never silently stop running.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's interpreter, not a pyenv or venv python3 that happens to be first on PATH. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export const TORCH_INSTALL_HINT =
  "PyTorch is needed for this check: apt-get install -y python3-torch python3-numpy libopenblas0-pthread (Debian/Ubuntu; .ci/install-deps does it)";

let cached: string | null | undefined;

/** null when /usr/bin/python3 imports torch and numpy, else why not. */
export function torchProblem(): string | null {
  if (cached === undefined) {
    if (!existsSync(SYSTEM_PYTHON)) cached = `${SYSTEM_PYTHON} does not exist`;
    else {
      const r = spawnSync(SYSTEM_PYTHON, ["-c", "import torch, numpy"], { encoding: "utf8" });
      cached = r.status === 0 ? null : `${SYSTEM_PYTHON} cannot import torch/numpy: ${(r.stderr || "").trim().split("\n").pop()}`;
    }
  }
  return cached;
}

/**
 * For node:test's `skip` option: a reason to skip when torch is missing on a developer's
 * machine; false in CI, where the test then runs and requireTorch() fails it.
 */
export function skipWithoutTorch(): false | string {
  const problem = torchProblem();
  if (!problem || process.env.CI === "true") return false;
  return `${problem}. ${TORCH_INSTALL_HINT}`;
}

/** Throws, with how to install it, when the reference cannot run. */
export function requireTorch(): void {
  const problem = torchProblem();
  if (problem) throw new Error(`${problem}. ${TORCH_INSTALL_HINT}`);
}
