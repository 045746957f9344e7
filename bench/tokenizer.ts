/**
 * `repotune bench tokenizer` (wire runTokenizerBench into src/cli), or directly:
 *
 *   flock /tmp/bench.lock node --import tsx bench/tokenizer.ts [--json] [--train-mb 5] [--vocab 2048]
 *
 * Trains our byte-level BPE on real code (TypeScript's lib declarations and compiler, about
 * `trainMb` MB), then encodes code it has not seen (another part of the compiler and this repo's
 * sources) and reports MB/s: encoding with an empty cache (a fresh tokenizer, as in a new
 * process) and warm, decoding, training, and @huggingface/tokenizers' encoding of the same
 * text with the same tokenizer.json in the same run as the reference. Single-threaded, like
 * everything in Node here. Figures, never pass/fail.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseTokenizerJson, serializeTokenizerJson, trainBpe, type Tokenizer } from "../src/core/tokenizer";

export interface TokenizerBenchOptions {
  /** MB of code to train on. Default 5. */
  readonly trainMb?: number;
  /** Vocabulary size to train. Default 2048. */
  readonly vocabSize?: number;
  /** MB of unseen code to encode. Default 2. */
  readonly encodeMb?: number;
  /** Repository root (node_modules/typescript and src/ are read from it). Default: this checkout. */
  readonly root?: string;
  readonly log?: (line: string) => void;
}

export interface TokenizerBenchResult {
  readonly trainMb: number;
  readonly vocabSize: number;
  readonly trainSec: number;
  readonly trainMBps: number;
  /** CPU seconds of this thread: on a shared machine the wall clock also counts waiting. */
  readonly trainCpuSec: number;
  readonly encodeMb: number;
  readonly tokens: number;
  readonly bytesPerToken: number;
  readonly encodeColdMBps: number;
  readonly encodeColdCpuMBps: number;
  readonly encodeWarmMBps: number;
  readonly decodeMBps: number;
  /** @huggingface/tokenizers on the same text and tokenizer.json; null when it is not installed. */
  readonly reference: { readonly name: string; readonly encodeMBps: number; readonly sameIds: boolean } | null;
  /** encodeColdMBps / reference.encodeMBps. */
  readonly ratio: number | null;
}

const MB = 1_000_000;

function filesUnder(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, ext, out);
    else if (ext.test(name)) out.push(path);
  }
  return out;
}

/** `bytes` of text from `docs`, whole documents, the last one cut. */
function take(docs: Iterable<string>, bytes: number): string[] {
  const out: string[] = [];
  let total = 0;
  for (const d of docs) {
    if (total >= bytes) break;
    const part = d.length > bytes - total ? d.slice(0, bytes - total) : d;
    out.push(part);
    total += part.length;
  }
  return out;
}

function corpus(root: string, trainBytes: number, encodeBytes: number): { train: string[]; encode: string } {
  const lib = join(root, "node_modules/typescript/lib");
  const decls = filesUnder(lib, /^lib\..*\.d\.ts$/).map((f) => readFileSync(f, "utf8"));
  const compiler = readFileSync(join(lib, "typescript.js"), "utf8");
  // Training: the declarations, then the compiler's first part. Encoding: the compiler's last
  // part (never trained on) and this repository's TypeScript.
  const tail = compiler.slice(Math.max(0, compiler.length - encodeBytes));
  const train = take([...decls, compiler.slice(0, compiler.length - tail.length)], trainBytes);
  const own = filesUnder(join(root, "src"), /\.ts$/).map((f) => readFileSync(f, "utf8"));
  const encode = take([...own, tail], encodeBytes).join("\n");
  return { train, encode };
}

function bytesOf(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export async function runTokenizerBench(options: TokenizerBenchOptions = {}): Promise<TokenizerBenchResult> {
  const log = options.log ?? (() => {});
  const trainMb = options.trainMb ?? 5;
  const vocabSize = options.vocabSize ?? 2048;
  const root = options.root ?? join(__dirname, "..");
  const { train, encode } = corpus(root, trainMb * MB, (options.encodeMb ?? 2) * MB);
  const trainBytes = train.reduce((n, d) => n + bytesOf(d), 0);
  const encodeBytes = bytesOf(encode);

  log(`training vocab ${vocabSize} on ${(trainBytes / MB).toFixed(2)} MB of code...`);
  let t0 = performance.now();
  let cpu = process.cpuUsage();
  const trained = await trainBpe(train, { vocabSize });
  const trainSec = (performance.now() - t0) / 1000;
  const trainCpuSec = process.cpuUsage(cpu).user / 1e6;

  // A tokenizer loaded from its file has an empty cache: "cold" is a new process's speed.
  const json = serializeTokenizerJson(trained);
  const fresh: Tokenizer = parseTokenizerJson(json, "bench tokenizer.json");
  log(`encoding ${(encodeBytes / MB).toFixed(2)} MB of unseen code...`);
  // allowSpecial as Hugging Face always does: this repo's own sources spell out "<|endoftext|>".
  const opts = { allowSpecial: true };
  t0 = performance.now();
  cpu = process.cpuUsage();
  const ids = fresh.encode(encode, opts);
  const coldSec = (performance.now() - t0) / 1000;
  const coldCpuSec = process.cpuUsage(cpu).user / 1e6;
  t0 = performance.now();
  fresh.encode(encode, opts);
  const warmSec = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const back = fresh.decode(ids);
  const decodeSec = (performance.now() - t0) / 1000;
  if (back !== encode) throw new Error("decode(encode(x)) !== x in the benchmark text");

  let reference: TokenizerBenchResult["reference"] = null;
  try {
    const { Tokenizer: HfTokenizer } = await import("@huggingface/tokenizers");
    const hf = new HfTokenizer(JSON.parse(json), {});
    log("encoding the same text with @huggingface/tokenizers...");
    t0 = performance.now();
    const hfIds = hf.encode(encode, { add_special_tokens: false }).ids;
    const hfSec = (performance.now() - t0) / 1000;
    const sameIds = hfIds.length === ids.length && hfIds.every((x, i) => x === ids[i]);
    reference = { name: "@huggingface/tokenizers", encodeMBps: encodeBytes / MB / hfSec, sameIds };
  } catch (err) {
    log(`no reference: ${err instanceof Error ? err.message : String(err)}`);
  }

  const encodeColdMBps = encodeBytes / MB / coldSec;
  return {
    trainMb: trainBytes / MB,
    vocabSize: trained.vocabSize,
    trainSec,
    trainMBps: trainBytes / MB / trainSec,
    trainCpuSec,
    encodeMb: encodeBytes / MB,
    tokens: ids.length,
    bytesPerToken: encodeBytes / ids.length,
    encodeColdMBps,
    encodeColdCpuMBps: encodeBytes / MB / coldCpuSec,
    encodeWarmMBps: encodeBytes / MB / warmSec,
    decodeMBps: encodeBytes / MB / decodeSec,
    reference,
    ratio: reference ? encodeColdMBps / reference.encodeMBps : null,
  };
}

export function formatTokenizerBench(r: TokenizerBenchResult): string {
  const f = (x: number): string => x.toFixed(2);
  return [
    `train   ${f(r.trainMb)} MB -> vocab ${r.vocabSize}: ${f(r.trainSec)} s (${f(r.trainMBps)} MB/s), ${f(r.trainCpuSec)} s CPU`,
    `encode  ${f(r.encodeMb)} MB unseen code -> ${r.tokens} tokens (${f(r.bytesPerToken)} bytes/token)`,
    `        cold cache ${f(r.encodeColdMBps)} MB/s (${f(r.encodeColdCpuMBps)} per CPU second), warm ${f(r.encodeWarmMBps)} MB/s`,
    `decode  ${f(r.decodeMBps)} MB/s`,
    r.reference
      ? `ref     ${r.reference.name} ${f(r.reference.encodeMBps)} MB/s, same ids: ${r.reference.sameIds}; ours/ref = ${f(r.ratio!)}x`
      : "ref     (not installed)",
  ].join("\n");
}

function argValue(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : undefined;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  runTokenizerBench({
    trainMb: argValue(args, "--train-mb"),
    vocabSize: argValue(args, "--vocab"),
    encodeMb: argValue(args, "--encode-mb"),
    log: json ? undefined : (line) => process.stderr.write(line + "\n"),
  }).then(
    (r) => process.stdout.write((json ? JSON.stringify(r) : formatTokenizerBench(r)) + "\n"),
    (err: unknown) => {
      process.stderr.write(`bench tokenizer: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
