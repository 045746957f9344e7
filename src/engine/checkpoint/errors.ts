// A checkpoint that cannot be used: says which file and what is wrong with it, so the user
// (or the pipeline, falling back to an older checkpoint) knows what to do.
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "CheckpointError";
  }
}
