// A Hugging Face model's weights: one model.safetensors, or the shards that
// model.safetensors.index.json's weight_map names (every checkpoint over ~2 GB is sharded).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SafetensorsError } from "./safetensors-common";
import { SafetensorsFile } from "./safetensors-reader";

export const SAFETENSORS_INDEX = "model.safetensors.index.json";

/** Opens every tensor file of a model folder; the caller closes them. */
export function openSafetensorsShards(dir: string): SafetensorsFile[] {
  const single = join(dir, "model.safetensors");
  if (existsSync(single)) return [SafetensorsFile.open(single)];
  const index = join(dir, SAFETENSORS_INDEX);
  if (!existsSync(index)) throw new SafetensorsError(dir, "no model.safetensors and no model.safetensors.index.json: not a Hugging Face model folder with safetensors weights");
  let map: unknown;
  try {
    map = (JSON.parse(readFileSync(index, "utf8")) as { weight_map?: unknown }).weight_map;
  } catch (err) {
    throw new SafetensorsError(index, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof map !== "object" || map === null) throw new SafetensorsError(index, "has no weight_map object");
  const files = [...new Set(Object.values(map as Record<string, unknown>))];
  const opened: SafetensorsFile[] = [];
  try {
    for (const f of files) {
      if (typeof f !== "string" || f.includes("/") || f.includes("\\")) throw new SafetensorsError(index, `weight_map names ${JSON.stringify(f)}, not a file of this folder`);
      const path = join(dir, f);
      if (!existsSync(path)) throw new SafetensorsError(index, `names the shard ${f}, which is missing (an interrupted download?)`);
      opened.push(SafetensorsFile.open(path));
    }
  } catch (err) {
    for (const o of opened) o.close();
    throw err;
  }
  return opened;
}
