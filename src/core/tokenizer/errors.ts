/**
 * Every problem with a tokenizer file or definition is a TokenizerError whose message says where
 * (the file, then the JSON path) and what is wrong, so a user who points RepoTune at a corrupt or
 * unsupported tokenizer.json can act on the message alone.
 */
export class TokenizerError extends Error {
  constructor(
    /** The file, or a description of the source when it did not come from a file. */
    readonly source: string,
    /** Where in it, as a JSON path ("model.merges[12]"); empty for the whole file. */
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${source}: ${where ? `${where}: ` : ""}${problem}`);
    this.name = "TokenizerError";
  }
}
