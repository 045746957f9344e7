// The run's report.json and the dataset's manifest.json as the model card reads them, checked
// field by field: either file may be damaged or hand-edited, and an export must then go on
// without its figures (saying so) rather than stop on a TypeError halfway through the card.
import { existsSync, readFileSync } from "node:fs";
import { MANIFEST_VERSION, type DatasetManifest } from "../../store/dataset-manifest";
import type { CardReport, CardRow } from "./model-card";

export interface CardInput<T> {
  value: T | null;
  /** Why a file that is there was not used, naming it; null when it was, or is absent. */
  problem: string | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const interval = (v: unknown): [number, number] | null =>
  Array.isArray(v) && v.length === 2 && num(v[0]) !== null && num(v[1]) !== null ? [v[0] as number, v[1] as number] : null;

function readJson(path: string | null): { raw: unknown; problem: string | null } | null {
  if (!path || !existsSync(path)) return null;
  try {
    return { raw: JSON.parse(readFileSync(path, "utf8")) as unknown, problem: null };
  } catch (err) {
    return { raw: null, problem: `${path}: not valid JSON (${(err as Error).message.slice(0, 120)})` };
  }
}

/** A report row with every figure a finite number or null: a wrong type shows as "–", never throws. */
function cardRow(v: unknown): CardRow | null {
  if (!isObject(v)) return null;
  return {
    exactMatch: num(v.exactMatch),
    exactMatchCi: interval(v.exactMatchCi),
    acceptedChars: num(v.acceptedChars),
    acceptedCharsCi: interval(v.acceptedCharsCi),
    editSimilarity: num(v.editSimilarity),
    editSimilarityCi: interval(v.editSimilarityCi),
    preferenceAccuracy: num(v.preferenceAccuracy),
    latencyMsP50: num(v.latencyMsP50),
    heldoutItems: num(v.heldoutItems) ?? 0,
  };
}

/** report.json's parts the card shows, or what is wrong with it. */
export function cardReportFrom(raw: unknown): CardReport | string {
  if (!isObject(raw) || !isObject(raw.stages)) return 'it has no "stages" object';
  const stages: CardReport["stages"] = {};
  for (const [name, row] of Object.entries(raw.stages)) stages[name] = cardRow(row);
  const report: CardReport = { stages };
  if (isObject(raw.config)) report.config = raw.config;
  if (Array.isArray(raw.notes)) report.notes = raw.notes.filter((n): n is string => typeof n === "string");
  const a = raw.activation;
  if (isObject(a) && typeof a.activated === "boolean" && typeof a.reason === "string") report.activation = { activated: a.activated, reason: a.reason };
  return report;
}

export function readCardReport(path: string | null): CardInput<CardReport> {
  const read = readJson(path);
  if (!read) return { value: null, problem: null };
  if (read.problem) return { value: null, problem: read.problem };
  const report = cardReportFrom(read.raw);
  return typeof report === "string" ? { value: null, problem: `${path}: ${report}` } : { value: report, problem: null };
}

/** The first field the card's data section needs that a manifest lacks, or null. */
export function manifestProblem(raw: unknown): string | null {
  if (!isObject(raw)) return "not a JSON object";
  if (raw.version !== MANIFEST_VERSION) return `manifest version ${typeof raw.version === "number" ? raw.version : "missing"}, expected ${MANIFEST_VERSION}`;
  const need: [string, (m: Json) => boolean][] = [
    ["source", (m) => isObject(m.source) && (m.source.kind === "folder" || (m.source.kind === "git" && [m.source.head, m.source.branch].every((x) => x === null || x === undefined || typeof x === "string")))],
    ["createdAt", (m) => typeof m.createdAt === "string"],
    ["files", (m) => isObject(m.files) && ["seen", "kept", "excluded", "bytesKept"].every((k) => num((m.files as Json)[k]) !== null)],
    ["split", (m) => isObject(m.split) && num(m.split.train) !== null && num(m.split.heldout) !== null],
    ["counts", (m) => isObject(m.counts)],
    ["excludedByReason", (m) => isObject(m.excludedByReason)],
    ["duplicates", (m) => isObject(m.duplicates) && num(m.duplicates.exact) !== null && num(m.duplicates.near) !== null],
    ["heldoutExcluded", (m) => isObject(m.heldoutExcluded)],
  ];
  const missing = need.find(([, ok]) => !ok(raw));
  return missing ? `"${missing[0]}" is missing or of the wrong shape` : null;
}

export function readCardManifest(path: string | null): CardInput<DatasetManifest> {
  const read = readJson(path);
  if (!read) return { value: null, problem: null };
  if (read.problem) return { value: null, problem: read.problem };
  const problem = manifestProblem(read.raw);
  return problem ? { value: null, problem: `${path}: ${problem}` } : { value: read.raw as DatasetManifest, problem: null };
}
