// Recall of the credential scan, kind by kind, on the planted corpus (test/fixtures/gather/
// secret-corpus.ts: every kind in the file types people leave it in), and its precision on
// text that only looks like a key. The table of recall per kind is printed as diagnostics.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findSecret } from "../../../src/core/gather/secrets/find-secret";
import { lookalikes, secretCorpus } from "../../fixtures/gather/secret-corpus";

describe("credential scan recall, per kind", () => {
  const corpus = secretCorpus();

  it("plants at least 40 kinds, in code, config, XML, YAML, TOML, INI, .properties, shell, Dockerfiles, CI files and notebooks", () => {
    assert.ok(new Set(corpus.map((s) => s.kind)).size >= 40, `${new Set(corpus.map((s) => s.kind)).size} kinds`);
    const types = new Set(corpus.map((s) => (s.path.endsWith(".ipynb") ? "notebook" : s.path.startsWith(".github/") || s.path.endsWith("gitlab-ci.yml") ? "ci" : (s.language ?? "unknown"))));
    for (const t of ["typescript", "python", "go", "json", "yaml", "toml", "ini", "properties", "xml", "shellscript", "dockerfile", "ci", "notebook"]) assert.ok(types.has(t), `no sample in ${t}`);
  });

  it("finds every planted credential, names its line, and never quotes it", (t) => {
    const byKind = new Map<string, { found: number; total: number; missed: string[] }>();
    for (const s of corpus) {
      const entry = byKind.get(s.kind) ?? { found: 0, total: 0, missed: [] };
      entry.total++;
      const found = findSecret(s.content, s.language);
      if (found) {
        entry.found++;
        const line = s.content.split("\n")[found.line - 1] ?? "";
        assert.ok(s.value.split("\n").some((part) => line.includes(part.slice(0, 12))) || /BEGIN|PuTTY|kind:|machine|"kty"|"type"/.test(line), `${s.kind} in ${s.path}: line ${found.line} (${found.kind}) is not where the secret is`);
        for (let i = 0; i + 12 <= s.value.length; i += 6) assert.ok(!found.kind.includes(s.value.slice(i, i + 12)), `${found.kind} quotes the secret`);
      } else entry.missed.push(s.path);
      byKind.set(s.kind, entry);
    }
    for (const [kind, e] of byKind) t.diagnostic(`recall ${kind}: ${e.found}/${e.total}`);
    const missed = [...byKind].filter(([, e]) => e.missed.length).map(([kind, e]) => `${kind} (${e.missed.join(", ")})`);
    assert.deepEqual(missed, [], `missed: ${missed.join("; ")}`);
  });

  it("flags none of the text that only looks like a key", () => {
    const flagged = lookalikes().flatMap((l) => {
      const f = findSecret(l.content, l.language);
      return f ? [`${l.what}: ${f.kind} on line ${f.line}`] : [];
    });
    assert.deepEqual(flagged, []);
  });
});
