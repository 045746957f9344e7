// pretrain.jsonl: each training file whole, or in line-aligned chunks when long, each with the
// Qwen2.5-Coder file header (`<|file_sep|>path\n`) so the model learns which file it is in.
import { FILE_SEP } from "../../tokenizer/special-tokens";
import type { PretrainRecord } from "../../store/dataset-files";
import type { LineIndex } from "../text/line-index";
import { chunkByLines } from "./chunk-lines";

export function pretrainHeader(path: string): string {
  return `${FILE_SEP}${path}\n`;
}

export function buildPretrainRecords(path: string, index: LineIndex, chunkChars: number): PretrainRecord[] {
  const header = pretrainHeader(path);
  return chunkByLines(index, chunkChars).map(([start, end]) => ({ text: header + index.text.slice(start, end), path }));
}
