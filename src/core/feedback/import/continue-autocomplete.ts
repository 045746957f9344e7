// Continue's autocomplete log (~/.continue/dev_data/0.2.0/autocomplete.jsonl, or 0.1.0): every
// suggestion it showed with whether it was accepted. Each record becomes one of our feedback
// events at the same place, and where the log holds an accepted and a rejected suggestion at
// the same place, a preference pair (Continue does not record what was typed instead of a
// rejected one, so a rejection alone makes no pair). Read defensively: the log is another
// tool's, written across its versions; a record we cannot use is counted with its reason.
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { formatFimPrompt } from "../../completion/fim-prompt";
import { repoNameOf } from "../../completion/repo-prompt";
import { findSecret } from "../../gather/secrets/find-secret";
import type { PreferencePair } from "../../store/dataset-files";
import type { FeedbackEvent } from "../feedback-types";

export type SkipReason = "not-an-object" | "missing-fields" | "outside-repository" | "secret" | "empty-completion" | "already-imported";

export interface ContinueImport {
  events: FeedbackEvent[];
  pairs: PreferencePair[];
  /** Records read, by schema version ("0.1.0" when the record names none). */
  read: Record<string, number>;
  skipped: Partial<Record<SkipReason, number>>;
}

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

/** A workspace-relative path with forward slashes, or null when the file is not in the repository. */
function repoPath(filepath: string, repo: string): string | null {
  let path = filepath;
  if (/^file:\/\//.test(path)) {
    try {
      path = fileURLToPath(path);
    } catch {
      return null;
    }
  }
  if (!isAbsolute(path)) return null;
  const rel = relative(resolve(repo), resolve(path));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

/** The same place in Continue's log: the file and the text around the cursor. */
const placeKey = (path: string, prefix: string, suffix: string): string => `${path}\u0000${prefix}\u0000${suffix}`;

/** Continue's records of `repo` as our events and pairs; `known` are event ids already imported. */
export function importContinueAutocomplete(records: Iterable<unknown>, repo: string, known: ReadonlySet<string> = new Set()): ContinueImport {
  const out: ContinueImport = { events: [], pairs: [], read: {}, skipped: {} };
  const skip = (reason: SkipReason) => (out.skipped[reason] = (out.skipped[reason] ?? 0) + 1);
  const name = repoNameOf(repo);
  const byPlace = new Map<string, { accepted: string[]; rejected: string[]; path: string; prefix: string; suffix: string }>();
  for (const raw of records) {
    const r = asRecord(raw);
    if (typeof r === "string") {
      skip(r);
      continue;
    }
    const schema = typeof r.schema === "string" ? r.schema : "0.1.0";
    out.read[schema] = (out.read[schema] ?? 0) + 1;
    const path = repoPath(r.filepath, repo);
    if (!path) {
      skip("outside-repository");
      continue;
    }
    if (r.completion.trim() === "") {
      skip("empty-completion");
      continue;
    }
    if (findSecret(r.prefix) || findSecret(r.suffix) || findSecret(r.completion)) {
      skip("secret");
      continue;
    }
    const id = `continue:${r.completionId ?? createHash("sha256").update(`${r.time ?? r.timestamp ?? ""}\u0000${path}\u0000${r.prefix}\u0000${r.completion}`).digest("hex").slice(0, 24)}`;
    if (known.has(id)) {
      skip("already-imported");
      continue;
    }
    const accepted = r.accepted === true;
    const time = typeof r.timestamp === "string" ? r.timestamp : typeof r.time === "number" && r.time > 1e12 ? new Date(r.time).toISOString() : new Date(0).toISOString();
    out.events.push({
      id,
      time,
      outcome: accepted ? "accepted" : "rejected",
      path,
      languageId: "",
      prefix: r.prefix,
      suffix: r.suffix,
      shown: r.completion,
      written: accepted ? r.completion : "",
      mode: r.completion.includes("\n") ? "block" : "line",
      model: `continue:${r.modelName ?? "unknown"}`,
      latencyMs: 0,
    });
    const key = placeKey(path, r.prefix, r.suffix);
    const place = byPlace.get(key) ?? { accepted: [], rejected: [], path, prefix: r.prefix, suffix: r.suffix };
    (accepted ? place.accepted : place.rejected).push(r.completion);
    byPlace.set(key, place);
  }
  for (const p of byPlace.values()) {
    const chosen = p.accepted[p.accepted.length - 1];
    if (chosen === undefined) continue;
    for (const rejected of new Set(p.rejected)) {
      if (rejected === chosen) continue;
      out.pairs.push({ prompt: formatFimPrompt(p.prefix, p.suffix, { name, path: p.path }), chosen, rejected, source: "editor", path: p.path });
    }
  }
  return out;
}
