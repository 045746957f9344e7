// Dependency lockfiles: machine-written, long, and nothing a completion should imitate.
import type { PathParts } from "./path-parts";

const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "deno.lock",
  "cargo.lock",
  "poetry.lock",
  "pipfile.lock",
  "pdm.lock",
  "uv.lock",
  "gemfile.lock",
  "composer.lock",
  "go.sum",
  "go.work.sum",
  "mix.lock",
  "pubspec.lock",
  "podfile.lock",
  "packages.lock.json",
  "paket.lock",
  "flake.lock",
  "gradle.lockfile",
  "cartfile.resolved",
  "package.resolved",
  "conan.lock",
  "shard.lock",
]);

export function lockfileRule(parts: PathParts): string | null {
  if (LOCKFILES.has(parts.lowerName) || parts.extension === ".lock") return parts.name;
  return null;
}
