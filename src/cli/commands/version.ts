// Replaced at bundle time is not needed: package.json sits one folder above out/ and src/cli/.
import { readFileSync } from "node:fs";
import { join } from "node:path";

function readVersion(): string {
  for (const dir of [join(__dirname, ".."), join(__dirname, "..", ".."), join(__dirname, "..", "..", "..")]) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "repotune" && pkg.version) return pkg.version;
    } catch {
      // try the next folder up
    }
  }
  return "unknown";
}

export const REPOTUNE_VERSION = readVersion();
