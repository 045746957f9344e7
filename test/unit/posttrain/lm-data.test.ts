// SFT rows mix the kinds by share (FIM first), whatever the dataset's own mix.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { formatFimPrompt } from "../../../src/core/completion/fim-prompt";
import { FIM_PREFIX } from "../../../src/core/tokenizer/special-tokens";
import { sftRows, SFT_KIND_SHARES } from "../../../src/pipeline/data/training-rows";
import { toyTokenizer } from "./toy";

const dir = fs.mkdtempSync(join(tmpdir(), "repotune-lmdata-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("SFT rows", () => {
  it("take the kinds by share; a kind short of records leaves its share to the others", async () => {
    const tok = await toyTokenizer();
    const records = [
      ...Array.from({ length: 200 }, (_, i) => ({ prompt: formatFimPrompt(`a${i} = `, ";\n"), completion: "1", kind: "fim", path: "f.ts" })),
      ...Array.from({ length: 600 }, (_, i) => ({ prompt: `Docs ${i}`, completion: "function f() {}", kind: "docstring", path: "f.ts" })),
      ...Array.from({ length: 3 }, (_, i) => ({ prompt: `Commit ${i}`, completion: "+x", kind: "commit", path: "f.ts" })),
    ];
    fs.writeFileSync(join(dir, "sft.jsonl"), records.map((r) => JSON.stringify(r) + "\n").join(""));
    const rows = sftRows(tok, dir, { seqLen: 32, maxRows: 100, seed: 1 });
    assert.equal(rows.length, 100);
    const fimId = tok.addedTokenId(FIM_PREFIX);
    const commitStart = tok.encode("Commit")[0];
    const fim = rows.filter((r) => r.ids[0] === fimId).length;
    const commit = rows.filter((r) => r.ids[0] === commitStart).length;
    const docstring = rows.length - fim - commit;
    assert.equal(commit, 3); // all there are
    // The commit share's remainder goes to FIM and docstrings in proportion (7:2).
    assert.ok(fim >= 70 && fim <= 80, `fim ${fim}`);
    assert.ok(docstring >= 20 && docstring <= 25, `docstring ${docstring}`);
    assert.ok(SFT_KIND_SHARES.fim > SFT_KIND_SHARES.docstring);
    // Same seed, same rows.
    assert.deepEqual(sftRows(tok, dir, { seqLen: 32, maxRows: 100, seed: 1 }), rows);
  });
});
