// The credential scan: every planted kind is found, its report never quotes the value, and the
// code it must not flag (names that only look secret, references, placeholders) passes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findAssignedSecret, isSecretName } from "../../../src/core/gather/secrets/assigned-secrets";
import { shannonEntropy } from "../../../src/core/gather/secrets/entropy";
import { findSecret } from "../../../src/core/gather/secrets/find-secret";
import { SECRET_PATTERNS } from "../../../src/core/gather/secrets/secret-patterns";
import { plantedSecrets } from "../../fixtures/gather/planted-secrets";
import { secretCorpus } from "../../fixtures/gather/secret-corpus";

/** A repeatable, random-looking string of `n` characters. */
const r = (n: number, alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8") => Array.from({ length: n }, (_, i) => alphabet[(i * 7 + n) % alphabet.length]).join("");

// Token prefixes are joined at run time, so this file holds no literal a secret scanner flags.
const UNPLANTED_SHAPES: Array<[string, string]> = [
  ["gcp-oauth-client-secret", `secret = "${["GOC", "SPX-"].join("")}${r(28)}"`],
  ["gcp-access-token", `auth = "${["ya", "29."].join("")}${r(40)}"`],
  ["gcp-service-account-key", `{\n  "type": "service_account",\n  "project_id": "x",\n  "private_key_id": "${r(40)}"\n}`],
  ["azure-sas-token", `url = "https://a.blob.core.windows.net/c?sv=2022&${["si", "g="].join("")}${r(44)}"`],
  ["github-fine-grained-token", `t = "${["github", "_pat_"].join("")}${r(60)}"`],
  ["slack-webhook", `hook = "https://${["hooks.sl", "ack.com"].join("")}/services/T0AB/B0CD/${r(24)}"`],
  ["stripe-webhook-secret", `s = "${["wh", "sec_"].join("")}${r(32)}"`],
  ["huggingface-token", `t = "${["h", "f_"].join("")}${r(34)}"`],
  ["npm-token", `//registry.npmjs.org/:_authToken=${["np", "m_"].join("")}${r(36)}`],
  ["password-in-url", `db = "postgres://app:${r(14)}@db.internal:5432/app"`],
];

describe("findSecret", () => {
  for (const planted of plantedSecrets()) {
    it(`finds a planted ${planted.kind} and names its kind and line, not its value`, () => {
      const language = planted.path.endsWith(".py") ? "python" : planted.path.endsWith(".sh") ? "shellscript" : "typescript";
      const found = findSecret(`// header\n\n${planted.content}`, language);
      assert.ok(found, planted.content);
      if (planted.kind === "assigned") assert.equal(found.kind, "high-entropy value assigned to DB_PASSWORD");
      else assert.equal(found.kind, planted.kind);
      const line = `// header\n\n${planted.content}`.split("\n").findIndex((l) => l.includes(planted.value.split("\n")[0] as string)) + 1;
      if (planted.kind !== "private-key") assert.equal(found.line, line);
      for (let i = 0; i + 8 <= planted.value.length; i += 8) assert.ok(!found.kind.includes(planted.value.slice(i, i + 8)));
    });
  }

  it("finds the shapes the fixture does not plant", () => {
    for (const [kind, text] of UNPLANTED_SHAPES) assert.equal(findSecret(text, "python")?.kind, kind, text);
  });

  it("is tested on an example of every pattern it knows", () => {
    // The corpus of secret-recall.test.ts counts too: the kinds it makes the scan report.
    const corpusKinds = secretCorpus().flatMap((c) => findSecret(c.content, c.language)?.kind ?? []);
    const covered = new Set([...plantedSecrets().map((s) => s.kind), ...UNPLANTED_SHAPES.map(([kind]) => kind), ...corpusKinds]);
    assert.deepEqual(SECRET_PATTERNS.map((p) => p.id).filter((id) => !covered.has(id)), []);
  });

  it("passes ordinary code that only talks about tokens, keys and passwords", () => {
    const code = [
      `if (token.type === "PrivateIdentifier") return;`,
      `const tokenizer = new Tokenizer(options);`,
      `password: process.env.DB_PASSWORD,`,
      `const apiKey = config.get("service.apiKey");`,
      `let lastDraftTokenMeterState = draftContextSequence?.tokenMeter.getState();`,
      `export const TOKEN_STORAGE_KEY = "auth_token_storage_key";`,
      `<div class="sk-spinner-double-bounce-with-a-long-name"></div>`,
      `token = "\${{ secrets.GITHUB_TOKEN }}"`,
      `password = "changeme-please-1234"`,
      `const secretKey = crypto.randomBytes(32);`,
      `const pattern = "[A-Za-z0-9_]{20,}";`,
      `git clone https://github.com/acme/repo.git`,
      `postgres://user:password@localhost/db`,
    ].join("\n");
    assert.equal(findSecret(code, "typescript"), null);
  });

  it("judges bare values only where a bare word is a literal (shell, YAML), not in code", () => {
    const value = ["Zq8", "Lm3", "Xv7", "Tr2", "Wp9", "Kd4"].join("");
    assert.ok(findAssignedSecret(`export API_TOKEN=${value}\n`, true));
    assert.equal(findAssignedSecret(`api_token = ${value}\n`, false), null);
    assert.equal(findSecret(`token = session.current${value}`, "typescript"), null);
    assert.equal(findSecret(`api_token: ${value}`, "yaml")?.kind, "high-entropy value assigned to api_token");
  });

  it("recognises secret names by their words, not by substrings", () => {
    for (const name of ["password", "DB_PASSWORD", "dbPassword", "api_key", "apiKey", "API-KEY", "client_secret", "accessToken", "aws.secret.key", "PRIVATE_KEY"]) assert.ok(isSecretName(name), name);
    for (const name of ["tokenizer", "secretary", "passthrough", "keyboard", "monkey", "key", "type", "authorName"]) assert.ok(!isSecretName(name), name);
  });

  it("measures entropy in bits per character", () => {
    assert.equal(shannonEntropy("aaaa"), 0);
    assert.equal(shannonEntropy("abcd"), 2);
    assert.ok(shannonEntropy("kX9#mQ2$vL7@pR4!") > 3.9);
  });
});
