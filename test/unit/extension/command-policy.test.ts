// Restricted Mode (issue 16, item 4): every command is in the trust table, the ones that
// gather, train, export, import or log refuse when the workspace is untrusted, all with one
// message that says how to trust it, and no command is registered around the guard.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { COMMANDS, INTERNAL_COMMANDS } from "../../../src/extension/settings/command-ids";
import { guardCommand, MANAGE_TRUST, RESTRICTED_MESSAGE, TRUST_REQUIRED, type AnyCommandId, type TrustGate } from "../../../src/extension/settings/command-policy";

const root = join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } };

function gate(trusted: boolean): TrustGate & { refusals: string[] } {
  const refusals: string[] = [];
  return { refusals, isTrusted: () => trusted, refuse: (m) => refusals.push(m) };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("Restricted Mode: the command table", () => {
  it("lists every contributed and internal command, and nothing else", () => {
    const known = [...manifest.contributes.commands.map((c) => c.command), ...Object.values(INTERNAL_COMMANDS)].sort();
    assert.deepEqual(Object.keys(TRUST_REQUIRED).sort(), known);
    assert.deepEqual(Object.values(COMMANDS).sort(), manifest.contributes.commands.map((c) => c.command).sort());
  });

  it("requires trust for every command that gathers, trains, exports, imports or activates", () => {
    const guarded = Object.entries(TRUST_REQUIRED).filter(([, action]) => action !== null).map(([id]) => id).sort();
    assert.deepEqual(guarded, [COMMANDS.chooseBaseModel, COMMANDS.exportDataset, COMMANDS.exportModel, COMMANDS.fineTune, COMMANDS.importFeedback, INTERNAL_COMMANDS.useRunModel].sort());
  });

  it("one message, which says what is off and how to trust the workspace", () => {
    assert.match(RESTRICTED_MESSAGE, /Restricted Mode/);
    assert.match(RESTRICTED_MESSAGE, /Manage Workspace Trust/);
    assert.equal(MANAGE_TRUST.command, "workbench.trust.manage");
  });
});

describe("Restricted Mode: the guard", () => {
  for (const [id, action] of Object.entries(TRUST_REQUIRED) as [AnyCommandId, string | null][]) {
    it(`${id}: ${action ? "refused untrusted, run trusted" : "runs either way"}`, () => {
      const calls: unknown[][] = [];
      const run = (...args: unknown[]) => (calls.push(args), "ran");
      const untrusted = gate(false);
      const result = guardCommand(id, run, untrusted)({ preset: "micro" });
      if (action) {
        assert.equal(result, undefined);
        assert.deepEqual(calls, [], "the command body never ran");
        assert.deepEqual(untrusted.refusals, [`${action}: ${RESTRICTED_MESSAGE}`]);
      } else {
        assert.equal(result, "ran");
        assert.deepEqual(untrusted.refusals, []);
      }
      const trusted = gate(true);
      assert.equal(guardCommand(id, run, trusted)("x", 2), "ran");
      assert.deepEqual(calls.at(-1), ["x", 2], "arguments pass through");
      assert.deepEqual(trusted.refusals, []);
    });
  }

  it("asks for trust at each call, not once at registration (trust can be granted later)", () => {
    let trusted = false;
    const g: TrustGate = { isTrusted: () => trusted, refuse: () => undefined };
    const guarded = guardCommand(COMMANDS.fineTune, () => "ran", g);
    assert.equal(guarded(), undefined);
    trusted = true;
    assert.equal(guarded(), "ran");
  });
});

describe("Restricted Mode: registration", () => {
  it("extension.ts registers every command through the guarded register()", () => {
    const text = readFileSync(join(root, "src", "extension", "extension.ts"), "utf8");
    const registered = [...text.matchAll(/\bregister\((COMMANDS|INTERNAL_COMMANDS)\.(\w+)/g)].map((m) => (m[1] === "COMMANDS" ? COMMANDS : INTERNAL_COMMANDS)[m[2] as never] as string);
    assert.deepEqual(registered.sort(), Object.keys(TRUST_REQUIRED).sort());
    assert.match(text, /const register = \(id: AnyCommandId[^\n]*registerGuardedCommand\(id, run\)/);
  });

  it("no file of src/extension calls vscode.commands.registerCommand around the guard", () => {
    // feedback-bridge's completionAccepted only tells the feedback tracker which suggestion was
    // taken; the tracker's sink writes nothing in Restricted Mode (and no item is shown there).
    const allowed = new Set(["src/extension/settings/trust.ts", "src/extension/completions/feedback-bridge.ts"]);
    const offenders = sources(join(root, "src", "extension"))
      .filter((f) => /registerCommand\(/.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f))
      .filter((f) => !allowed.has(f));
    assert.deepEqual(offenders, []);
  });
});
