// `node --import tsx bench/secrets.ts [--json] [DIR...]`: the credential scan (src/core/gather/
// secrets) over real code that holds no secrets (TypeScript's lib folder and this repository's
// src and test by default): MB/s, files flagged (false positives: each one is a file left out
// of the dataset), and, as the reference in the same process, the cost floor of scanning the
// same text with the scan's combined locator alone. Then recall per kind on the planted corpus
// (test/fixtures/gather/secret-corpus.ts) and the lookalikes flagged. Figures, never pass/fail.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { codeLanguages } from "../src/core/gather/filters/code-languages";
import { pathParts } from "../src/core/gather/filters/path-parts";
import { findSecret } from "../src/core/gather/secrets/find-secret";
import { SECRET_PATTERNS } from "../src/core/gather/secrets/secret-patterns";
import { lookalikes, secretCorpus } from "../test/fixtures/gather/secret-corpus";

const args = process.argv.slice(2);
const json = args.includes("--json");
const root = resolve(__dirname, "..");
const dirs = args.filter((a) => !a.startsWith("--"));
const roots = dirs.length ? dirs.map((d) => resolve(d)) : [join(root, "node_modules", "typescript", "lib"), join(root, "src"), join(root, "test")];

const languages = codeLanguages();
const files: { path: string; text: string; language: string }[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) walk(path);
    else if (st.size <= 1_000_000) {
      const language = languages.languageOf(pathParts(path));
      if (language) files.push({ path, text: readFileSync(path, "utf8"), language });
    }
  }
};
for (const r of roots) walk(r);
const mb = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0) / 1e6;

/** Best of three passes: the first warms the JIT. */
function best(pass: () => void): number {
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    pass();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

const flagged = new Map<string, string[]>();
const scanMs = best(() => {
  flagged.clear();
  for (const f of files) {
    const found = findSecret(f.text, f.language);
    if (found) flagged.set(found.kind, [...(flagged.get(found.kind) ?? []), `${f.path}:${found.line}`]);
  }
});
const locator = new RegExp(SECRET_PATTERNS.map((p) => p.locator).join("|"), "g");
const floorMs = best(() => {
  for (const f of files) {
    locator.lastIndex = 0;
    for (let m = locator.exec(f.text); m; m = locator.exec(f.text)) locator.lastIndex = m.index + 1;
  }
});

const corpus = secretCorpus();
const recall = new Map<string, { found: number; total: number }>();
for (const s of corpus) {
  const r = recall.get(s.kind) ?? { found: 0, total: 0 };
  r.total++;
  if (findSecret(s.content, s.language)) r.found++;
  recall.set(s.kind, r);
}
const lookalikesFlagged = lookalikes().filter((l) => findSecret(l.content, l.language)).map((l) => l.what);

const result = {
  files: files.length,
  mb: Number(mb.toFixed(2)),
  scanMBps: Number((mb / (scanMs / 1000)).toFixed(1)),
  locatorOnlyMBps: Number((mb / (floorMs / 1000)).toFixed(1)),
  ratioToLocatorOnly: Number((scanMs / floorMs).toFixed(2)),
  filesFlagged: [...flagged.values()].reduce((n, l) => n + l.length, 0),
  flagged: Object.fromEntries(flagged),
  kinds: recall.size,
  samples: corpus.length,
  recall: Object.fromEntries([...recall].map(([k, r]) => [k, `${r.found}/${r.total}`])),
  lookalikesFlagged,
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`${result.files} files, ${result.mb} MB of code: scan ${result.scanMBps} MB/s (locator alone ${result.locatorOnlyMBps} MB/s, ${result.ratioToLocatorOnly}x its time)\n`);
  process.stdout.write(`flagged (false positives on code holding no secret): ${result.filesFlagged}${result.filesFlagged ? `: ${JSON.stringify(result.flagged)}` : ""}\n`);
  const missed = [...recall].filter(([, r]) => r.found < r.total).map(([k, r]) => `${k} ${r.found}/${r.total}`);
  process.stdout.write(`recall on the planted corpus: ${result.samples} samples of ${result.kinds} kinds, ${missed.length ? `missed: ${missed.join(", ")}` : "all found"}; lookalikes flagged: ${lookalikesFlagged.length ? lookalikesFlagged.join(", ") : "none"}\n`);
}
