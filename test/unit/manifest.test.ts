// The extension manifest is the contract with VS Code: these are the names users see.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { COMMANDS } from "../../src/extension/settings/command-ids";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

describe("package.json manifest", () => {
  it("contributes the nine commands with their exact palette titles", () => {
    const titles = pkg.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.deepEqual(titles.sort(), [
      "RepoTune: Cancel training",
      "RepoTune: Choose base model",
      "RepoTune: Export dataset",
      "RepoTune: Export model",
      "RepoTune: Fine-tune on this repo",
      "RepoTune: Import feedback from Continue",
      "RepoTune: Open dashboard",
      "RepoTune: Show log",
      "RepoTune: Toggle inline completions",
    ]);
    assert.deepEqual(pkg.contributes.commands.map((c: { command: string }) => c.command).sort(), Object.values(COMMANDS).sort());
  });

  it("declares every setting with a description", () => {
    const props = pkg.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string }>;
    for (const key of ["preset", "backend", "completions.enabled", "completions.debounceMs", "completions.maxTokens", "completions.extraContextTokens", "dataFolder", "baseModel", "hub.endpoint"]) {
      assert.ok(props[`repotune.${key}`], `repotune.${key} is declared`);
    }
    for (const [key, value] of Object.entries(props)) {
      const text = value.description ?? value.markdownDescription;
      assert.ok(text && text.length > 10, `${key} has a description`);
    }
  });

  it("runs in VS Code 1.139 and is limited in untrusted workspaces", () => {
    const min = /\^(\d+)\.(\d+)/.exec(pkg.engines.vscode);
    assert.ok(min && Number(min[1]) === 1 && Number(min[2]) <= 139, pkg.engines.vscode);
    assert.equal(pkg.devDependencies["@types/vscode"].replace(/^\D*/, "").split(".").slice(0, 2).join("."), `${min[1]}.${min[2]}`);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
    assert.ok(pkg.activationEvents.includes("onStartupFinished"));
  });
});
