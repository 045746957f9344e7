// Third-party code copied into the repository: not the user's style, and often huge.
import type { PathParts } from "./path-parts";

const VENDOR_FOLDERS = new Set([
  "node_modules",
  "bower_components",
  "jspm_packages",
  "vendor",
  "vendors",
  "_vendor",
  "third_party",
  "third-party",
  "thirdparty",
  "3rdparty",
  ".yarn",
  ".pnpm-store",
  "Pods",
  "Carthage",
  "site-packages",
  "__pypackages__",
  ".venv",
  "venv",
  ".tox",
  ".bundle",
  "elm-stuff",
  ".cargo",
]);

export function vendoredRule(parts: PathParts): string | null {
  for (const folder of parts.folders) if (VENDOR_FOLDERS.has(folder)) return `under ${folder}/`;
  return null;
}
