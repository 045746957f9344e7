// `repotune export --format trl`: a folder a user takes to a GPU machine or a cluster: the
// dataset (OUT/dataset, a Hugging Face dataset folder with its card, in TRL's shapes), the
// static scripts and launch configurations of templates/trl, and OUT/settings.json, the one
// generated file, which makes those scripts train as the RepoTune run did.
import { cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomicSync } from "../../fs/atomic-write";
import { exportDatasetFolder, type DatasetExport } from "../hf-dataset/export-dataset";
import type { TrlSettings } from "./trl-settings";

export interface TrlExport {
  out: string;
  dataset: DatasetExport;
  settingsFile: string;
  /** Every file copied from the templates, relative to `out` ("sft.py", "accelerate/multi-gpu.yaml"...). */
  files: string[];
}

export class TrlExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrlExportError";
  }
}

const MARKER = "common.py";

/**
 * templates/trl at the package root, which is four folders above this file in the sources
 * (src/core/formats/trl) and one above the bundle (out/cli.js, out/extension.js): the first
 * folder up from here that holds it, as version.ts finds package.json.
 */
export function trlTemplatesDir(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "templates", "trl");
    if (existsSync(join(candidate, MARKER))) return candidate;
    dir = join(dir, "..");
  }
  throw new TrlExportError(`the TRL templates (templates/trl) are not installed next to ${from}: this RepoTune package is incomplete`);
}

/** Python's caches are not templates; a template folder used by hand may have them. */
const copied = (path: string): boolean => !/(^|[\\/])__pycache__([\\/]|$)|\.pyc$/.test(path);

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (!copied(path)) return [];
      return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path)];
    });
}

/** Writes OUT/dataset, the templates and OUT/settings.json. */
export function exportTrlFolder(options: { datasetDir: string; feedbackEvents?: string; outDir: string; settings: TrlSettings; templatesDir?: string }): TrlExport {
  const templates = options.templatesDir ?? trlTemplatesDir();
  const dataset = exportDatasetFolder({ datasetDir: options.datasetDir, outDir: join(options.outDir, "dataset"), ...(options.feedbackEvents ? { feedbackEvents: options.feedbackEvents } : {}) });
  cpSync(templates, options.outDir, { recursive: true, filter: copied });
  const settingsFile = join(options.outDir, "settings.json");
  writeFileAtomicSync(settingsFile, `${JSON.stringify(options.settings, null, 2)}\n`);
  return { out: options.outDir, dataset, settingsFile, files: listFiles(templates) };
}
