// Continue's autocomplete log (~/.continue/dev_data/0.2.0/autocomplete.jsonl, or 0.1.0): every
// suggestion it showed with whether it was accepted. Each record becomes one of our feedback
// events at the same place, and where the log holds an accepted and a rejected suggestion at
// the same place, a preference pair (imported-feedback.ts). Read defensively: the log is another
// tool's, written across its versions; a record we cannot use is counted with its reason.
import { createHash } from "node:crypto";
import { repoNameOf } from "../../completion/repo-prompt";
import { FeedbackImporter, type FeedbackImport } from "./imported-feedback";
import { repoPath } from "./repo-path";

export type { SkipReason } from "./imported-feedback";
export type ContinueImport = FeedbackImport;

interface ContinueRecord {
  prefix: string;
  suffix: string;
  completion: string;
  filepath: string;
  accepted?: boolean;
  modelName?: string;
  time?: number;
  timestamp?: string;
  completionId?: string;
  schema?: string;
}

function asRecord(raw: unknown): ContinueRecord | "not-an-object" | "missing-fields" {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not-an-object";
  const r = raw as Record<string, unknown>;
  if (typeof r.prefix !== "string" || typeof r.suffix !== "string" || typeof r.completion !== "string" || typeof r.filepath !== "string") return "missing-fields";
  return r as unknown as ContinueRecord;
}

/** Continue's records of `repo` as our events and pairs; `known` are event ids already imported. */
export function importContinueAutocomplete(records: Iterable<unknown>, repo: string, known: ReadonlySet<string> = new Set()): ContinueImport {
  const importer = new FeedbackImporter(repoNameOf(repo), known);
  for (const raw of records) {
    const r = asRecord(raw);
    if (typeof r === "string") {
      importer.skip(r);
      continue;
    }
    importer.read(typeof r.schema === "string" ? r.schema : "0.1.0");
    const path = repoPath(r.filepath, repo);
    if (!path) {
      importer.skip("outside-repository");
      continue;
    }
    // 0.2.0 names each suggestion; 0.1.0 does not, so its id is what identifies the record.
    const id = `continue:${r.completionId ?? createHash("sha256").update(`${r.time ?? r.timestamp ?? ""}\u0000${path}\u0000${r.prefix}\u0000${r.completion}`).digest("hex").slice(0, 24)}`;
    const time = typeof r.timestamp === "string" ? r.timestamp : typeof r.time === "number" && r.time > 1e12 ? new Date(r.time).toISOString() : new Date(0).toISOString();
    importer.add({
      id,
      time,
      path,
      languageId: "",
      prefix: r.prefix,
      suffix: r.suffix,
      shown: r.completion,
      outcome: r.accepted === true ? "accepted" : "rejected",
      model: `continue:${r.modelName ?? "unknown"}`,
    });
  }
  return importer.finish();
}
