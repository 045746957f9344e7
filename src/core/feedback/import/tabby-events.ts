// Tabby's event log (TABBY_ROOT, default ~/.tabby, then events/YYYY-MM-DD.json: JSON Lines,
// one `LogEntry` a line) as our feedback. The schema is TabbyML/tabby's
// crates/tabby-common/src/api/event.rs (serde, externally tagged, snake_case):
//
//   {"user": null, "ts": 1717000000000, "event": {"completion": {"completion_id": "cmpl-…",
//     "language": "python", "prompt": "…", "segments": {"prefix": "…", "suffix": "…",
//     "filepath": "src/a.py", "git_url": "https://github.com/o/r"}, "choices": [{"index": 0,
//     "text": "…"}], "user_agent": "…"}}}
//   {"ts": …, "event": {"view": {"completion_id": "cmpl-…", "choice_index": 0, "view_id": "…"}}}
//   {"ts": …, "event": {"select": {"completion_id": "cmpl-…", "choice_index": 0, "kind": "line"}}}
//   {"ts": …, "event": {"dismiss": {"completion_id": "cmpl-…", "choice_index": 0}}}
//
// and across its versions: "selected" for "select" (the first days, May 2023); no `segments`,
// the model's whole prompt only, before v0.3; no `dismiss` before v0.8; `user` inside the
// completion until v0.11, on the entry since; no `filepath` (relative to the git root when
// `git_url` is set, else to the workspace folder, else a file:// URI) before v0.12.
//
// A completion is one suggestion per choice; its outcome is what the editor then said about
// that choice: a select accepts it (kind "line": its next line only, a partial acceptance), a
// dismiss rejects it. A choice only viewed is skipped ("no-outcome"), not taken for rejected:
// the dismissal may sit in the next day's file (read the whole folder and it is found), and
// Tabby before v0.8 sent no dismissals at all, so a view alone does not say the user refused
// it; a false rejection would teach the model against a suggestion the user may have taken.
// Skipped, it is imported by a later import that holds its outcome.
import { repoNameOf } from "../../completion/repo-prompt";
import { FeedbackImporter, type FeedbackImport } from "./imported-feedback";
import { normalizeGitUrl } from "./git-remotes";
import { relativeRepoPath, repoPath } from "./repo-path";

/** What the importer knows of this repository to recognise Tabby's records of it. */
export interface TabbyRepo {
  root: string;
  /** Its remotes' URLs, normalized (git-remotes.ts). */
  remotes: readonly string[];
  /** Whether a workspace-relative path is a file here: a relative path with no git_url is ours only when it is. */
  hasFile(path: string): boolean;
}

interface Choice {
  index: number;
  text: string;
}

/** A completion of this repository, reduced to what an event needs (the prompt and snippets are dropped at once). */
interface Served {
  ts: number;
  language: string;
  path: string;
  prefix: string;
  suffix: string;
  choices: Choice[];
}

/** What the editor said about one choice it showed. */
interface Outcome {
  ts: number;
  selected: boolean;
  /** "line" selects: each takes one more line. */
  lineSelects: number;
  dismissed: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The entry's one variant: `{"event": {"<type>": {...}}}`; null when it is not one. */
function variantOf(raw: Record<string, unknown>): { type: string; body: Record<string, unknown> } | null {
  if (!isObject(raw.event)) return null;
  const keys = Object.keys(raw.event);
  const body = keys.length === 1 ? raw.event[keys[0]!] : undefined;
  return isObject(body) ? { type: keys[0]!, body } : null;
}

/** This repository's path of a completion's file, "no-file-path" or "outside-repository". */
function placeIn(segments: Record<string, unknown>, repo: TabbyRepo): string | "no-file-path" | "outside-repository" {
  const filepath = segments.filepath;
  if (typeof filepath !== "string" || filepath === "") return "no-file-path";
  // Outside a workspace the agent sends the document's URI, an absolute path in effect.
  if (/^file:\/\//.test(filepath) || /^([A-Za-z]:)?[\\/]/.test(filepath)) return repoPath(filepath, repo.root) ?? "outside-repository";
  // Another scheme (untitled:, vscode-remote://…): nothing of this repository's disk.
  if (/^[a-z][a-z0-9+.-]+:/i.test(filepath)) return "outside-repository";
  const path = relativeRepoPath(filepath);
  if (!path) return "outside-repository";
  const gitUrl = typeof segments.git_url === "string" && segments.git_url.trim() !== "" ? normalizeGitUrl(segments.git_url) : null;
  if (gitUrl !== null) return repo.remotes.includes(gitUrl) ? path : "outside-repository";
  // Relative to a workspace folder the log does not name: the file being here is the evidence.
  return repo.hasFile(path) ? path : "outside-repository";
}

/** The first lines of `text`, each with its line break: what `n` line-accepts took. */
function firstLinesLength(text: string, n: number): number {
  let at = 0;
  for (let i = 0; i < n && at < text.length; i++) {
    const nl = text.indexOf("\n", at);
    at = nl === -1 ? text.length : nl + 1;
  }
  return at;
}

const outcomeKey = (completionId: string, choice: number) => `${completionId}\u0000${choice}`;

/** Tabby's log entries (of one or more days' files, in order) as events and pairs of `repo`; `known` are event ids already imported. */
export function importTabbyEvents(entries: Iterable<unknown>, repo: TabbyRepo, known: ReadonlySet<string> = new Set()): FeedbackImport {
  const importer = new FeedbackImporter(repoNameOf(repo.root), known);
  // Completions are kept until the end, since their outcomes come in later lines (or files);
  // only this repository's, and only what an event needs, so a long log stays small.
  const served = new Map<string, Served>();
  /** Completions already counted as skipped (another repository, no path): their outcomes are no orphans. */
  const settled = new Set<string>();
  const outcomes = new Map<string, Outcome>();
  for (const raw of entries) {
    if (!isObject(raw)) {
      importer.skip("not-an-object");
      continue;
    }
    const variant = variantOf(raw);
    if (!variant) {
      importer.skip("missing-fields");
      continue;
    }
    const type: string = variant.type === "selected" ? "select" : variant.type;
    if (type !== "completion" && type !== "view" && type !== "select" && type !== "dismiss") {
      importer.read(type);
      importer.skip("other-event");
      continue;
    }
    const b = variant.body;
    const ts = typeof raw.ts === "number" ? raw.ts : 0;
    if (typeof b.completion_id !== "string" || b.completion_id === "") {
      importer.skip("missing-fields");
      continue;
    }
    const id = b.completion_id;
    if (type === "completion") {
      const choices = Array.isArray(b.choices) ? b.choices.filter((c): c is Choice => isObject(c) && isIndex(c.index) && typeof c.text === "string") : [];
      if (choices.length === 0) {
        importer.skip("missing-fields");
        continue;
      }
      importer.read(type);
      if (served.has(id) || settled.has(id)) {
        // The same completion logged twice (a file copied into the folder): once is enough.
        importer.skip("already-imported", choices.length);
        continue;
      }
      const segments = isObject(b.segments) && typeof b.segments.prefix === "string" ? b.segments : null;
      const place = segments ? placeIn(segments, repo) : "no-file-path";
      if (place === "no-file-path" || place === "outside-repository") {
        importer.skip(place, choices.length);
        settled.add(id);
        continue;
      }
      served.set(id, {
        ts,
        language: typeof b.language === "string" ? b.language : "",
        path: place,
        prefix: segments!.prefix as string,
        suffix: typeof segments!.suffix === "string" ? segments!.suffix : "",
        choices,
      });
      continue;
    }
    if (!isIndex(b.choice_index)) {
      importer.skip("missing-fields");
      continue;
    }
    importer.read(type);
    const key = outcomeKey(id, b.choice_index);
    // Any event of a choice says it was shown; only a select or a dismiss says what became of it.
    const o = outcomes.get(key) ?? { ts, selected: false, lineSelects: 0, dismissed: false };
    if (type !== "view") {
      // The settling event's time is the event's, as the editor's tracker stamps a settled completion.
      o.ts = ts;
      if (type === "dismiss") o.dismissed = true;
      else if (b.kind === "line") o.lineSelects++;
      else o.selected = true;
    }
    outcomes.set(key, o);
  }

  for (const [id, c] of served) {
    for (const choice of c.choices) {
      const key = outcomeKey(id, choice.index);
      const o = outcomes.get(key);
      outcomes.delete(key);
      if (!o) {
        importer.skip("never-shown");
        continue;
      }
      // A select settles it whatever else came: the user took it (a dismiss after line
      // selects is of what was left, so those stay a partial acceptance).
      const lines = o.selected ? 0 : firstLinesLength(choice.text, o.lineSelects);
      const outcome = o.selected ? "accepted" : o.lineSelects > 0 ? (lines >= choice.text.length ? "accepted" : "partial") : o.dismissed ? "rejected" : null;
      if (outcome === null) {
        importer.skip("no-outcome");
        continue;
      }
      importer.add({
        id: `tabby:${id}:${choice.index}`,
        time: new Date(o.ts || c.ts).toISOString(),
        path: c.path,
        languageId: c.language,
        prefix: c.prefix,
        suffix: c.suffix,
        shown: choice.text,
        outcome,
        ...(outcome === "partial" ? { acceptedChars: lines } : {}),
        // Tabby's log does not name the model that served (the server's config does).
        model: "tabby:unknown",
      });
    }
  }
  // Outcomes left are of completions not in what was read, nor skipped with them.
  for (const key of outcomes.keys()) if (!settled.has(key.slice(0, key.indexOf("\u0000")))) importer.skip("no-completion");
  return importer.finish();
}
