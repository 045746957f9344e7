// A doc comment (or docstring) and the code it documents, as offsets into the file.

export interface DocPair {
  /** Start of the prompt's source text: the first line of the doc comment (or the decorators and signature for Python). */
  promptStart: number;
  /** Start of the completion: the line after the doc comment (after the docstring for Python). */
  codeStart: number;
  /** End of the completion: just past the closing brace, or the last line of a Python body. */
  codeEnd: number;
}
