// The files of a gathering, in one streaming pass: each listed file is judged, and a kept
// file is written out as training records straight away, unless its split key is small
// enough that it may end up held out (heldout-reservoir.ts). Only those few hundred files are
// read a second time, at the end. Memory holds paths and per-file metadata, never contents.
import type { ExcludedFile } from "../store/dataset-manifest";
import type { ResolvedGatherOptions } from "./gather-options";
import { HeldoutReservoir, type Waiting } from "./heldout-reservoir";
import type { FileJudge, KeptFile } from "./judge-file";
import type { RecordWriter } from "./record-writer";
import { heldoutCount, splitKey, type SplitSettings } from "./split";

/** Files between two looks at the event loop (progress, cancellation). */
const YIELD_EVERY = 256;

export interface GatheredFiles {
  /** Kept files that made records, with their languages (commit pairs need them). */
  train: Map<string, string>;
  heldout: string[];
  excluded: ExcludedFile[];
  /** Bytes of the files that made records. */
  bytesKept: number;
}

export async function gatherFiles(paths: readonly string[], judge: FileJudge, records: RecordWriter, options: ResolvedGatherOptions): Promise<GatheredFiles> {
  const split: SplitSettings = { seed: options.seed, fraction: options.heldoutFraction, min: options.heldoutMin, max: options.heldoutMax };
  // Never fewer kept files than listed ones, so this many is never less than the final count.
  const reservoir = new HeldoutReservoir(heldoutCount(paths.length, split));
  const result: GatheredFiles = { train: new Map(), heldout: [], excluded: [], bytesKept: 0 };
  let kept = 0;
  const train = (file: KeptFile, text: string) => {
    records.writeTraining(file.path, text, file.language);
    result.train.set(file.path, file.language);
    result.bytesKept += file.size;
  };
  /** A file released from the reservoir was judged earlier: read it again, unchanged or not at all. */
  const reread = (waiting: Waiting, use: (file: KeptFile, text: string) => void) => {
    const text = judge.reread(waiting.file);
    if (text === null) result.excluded.push({ path: waiting.file.path, reason: "changed-during-gather", detail: "edited, deleted or replaced while the dataset was being built" });
    else use(waiting.file, text);
  };

  for (let i = 0; i < paths.length; i++) {
    if (i % YIELD_EVERY === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      options.onProgress?.({ phase: "scan", done: i, total: paths.length, bytes: judge.bytesRead });
    }
    const judgement = judge.judge(paths[i] as string);
    if ("excluded" in judgement) {
      result.excluded.push(judgement.excluded);
      continue;
    }
    kept++;
    const released = reservoir.offer(judgement.kept, splitKey(options.seed, judgement.kept.path));
    if (released === null) continue;
    if (released.file === judgement.kept) train(judgement.kept, judgement.text);
    else reread(released, train);
  }
  options.onProgress?.({ phase: "scan", done: paths.length, total: paths.length, bytes: judge.bytesRead });

  const { heldout, train: rest } = reservoir.drain(heldoutCount(kept, split));
  for (const waiting of rest) reread(waiting, train);
  for (const waiting of heldout) {
    reread(waiting, (file, text) => {
      records.writeHeldout(file.path, text);
      result.heldout.push(file.path);
      result.bytesKept += file.size;
    });
  }
  return result;
}
