// The one failure of gathering that is the user's to fix, not a bug: nothing to learn from.
import type { DatasetManifest } from "../store/dataset-manifest";

export class NothingToGatherError extends Error {
  constructor(
    message: string,
    /** What was found, when anything was: every excluded file with its reason. */
    readonly manifest?: DatasetManifest,
  ) {
    super(message);
    this.name = "NothingToGatherError";
  }
}
