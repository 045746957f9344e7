// RepoTune inside the real extension host (code-server's remote Node host, VS Code 1.139):
// activation, every contributed command, the settings and their defaults, and the commands
// that already do something. Uses mocha's bdd globals, installed by index.ts before this runs.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { DASHBOARD_VIEW_TYPE } from "../../../src/extension/dashboard/dashboard-panel";

const EXTENSION_ID = "repotune.repotune";

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

/** Polls until `check` holds: configuration changes and new tabs reach the host asynchronously. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Awaits `command`, closing any quick pick it opens meanwhile; fails if it neither ends nor asks. */
async function settleDismissingQuestions(command: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let settled = false;
  const done = command.finally(() => {
    settled = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!settled) {
    if (Date.now() > deadline) assert.fail(`still running after ${timeoutMs} ms with every quick pick closed`);
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 250))]);
    if (!settled) await vscode.commands.executeCommand("workbench.action.closeQuickOpen");
  }
  return done;
}

/** Every file under the workspace folders (relative paths, sorted). */
function workspaceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else out.push(path);
    }
  };
  for (const folder of vscode.workspace.workspaceFolders ?? []) walk(folder.uri.fsPath, folder.name);
  return out.sort();
}

function dashboardTabs(): vscode.Tab[] {
  // A webview tab's viewType carries a prefix VS Code adds (`mainThreadWebview-`).
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(DASHBOARD_VIEW_TYPE));
}

export function defineExtensionTests(): void {
  describe("RepoTune in the extension host", function () {
    let extension: vscode.Extension<unknown>;
    let manifest: Manifest;

    before(async function () {
      const found = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(found, `${EXTENSION_ID} is not among the host's extensions`);
      extension = found;
      manifest = extension.packageJSON as Manifest;
      await extension.activate();
    });

    after(async function () {
      // Leave the profile as it was found, for whatever runs after this suite.
      await vscode.workspace.getConfiguration("repotune").update("completions.enabled", undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("registers every command package.json contributes", async function () {
      const contributed = manifest.contributes.commands.map((c) => c.command);
      assert.equal(contributed.length, 9, "the seven commands of the Foundation issue, Choose base model and Import feedback from Continue");
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(
        contributed.filter((id) => !registered.has(id)),
        [],
        "contributed but not registered",
      );
    });

    it("reads every repotune.* setting with its declared default", function () {
      const properties = Object.entries(manifest.contributes.configuration.properties);
      for (const required of ["preset", "backend", "completions.enabled", "completions.debounceMs", "completions.maxTokens", "dataFolder"]) {
        assert.ok(properties.some(([key]) => key === `repotune.${required}`), `repotune.${required} is declared`);
      }
      const config = vscode.workspace.getConfiguration();
      for (const [key, declared] of properties) {
        assert.ok(config.has(key), `${key} is known to VS Code`);
        assert.deepEqual(config.inspect(key)?.defaultValue, declared.default, `${key}: default`);
        // A fresh profile and a fixture without .vscode/settings.json: the default is the value.
        assert.deepEqual(config.get(key), declared.default, `${key}: value`);
      }
    });

    it("Toggle inline completions flips repotune.completions.enabled and back", async function () {
      const enabled = () => vscode.workspace.getConfiguration("repotune").get<boolean>("completions.enabled");
      const before = enabled();
      assert.equal(typeof before, "boolean");
      await vscode.commands.executeCommand("repotune.toggleCompletions");
      await waitFor("the setting to flip", () => enabled() === !before);
      await vscode.commands.executeCommand("repotune.toggleCompletions");
      await waitFor("the setting to flip back", () => enabled() === before);
    });

    it("Open dashboard opens one webview tab, and reveals it when run again", async function () {
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
      assert.equal(dashboardTabs().length, 0);
      await vscode.commands.executeCommand("repotune.openDashboard");
      await waitFor("a RepoTune dashboard tab", () => dashboardTabs().length === 1);
      const tab = dashboardTabs()[0];
      assert.equal(tab?.label, "RepoTune Dashboard");
      await vscode.commands.executeCommand("repotune.openDashboard");
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(dashboardTabs().length, 1, "a second run reveals the same panel");
    });

    // Each command either does its job at once or asks a question first (Fine-tune asks for a
    // preset in a quick pick, file pickers are quick picks in the web workbench): the question
    // is dismissed, and the command must then end without an error.
    for (const id of ["repotune.fineTune", "repotune.cancelTraining", "repotune.exportDataset", "repotune.exportModel", "repotune.importFeedback", "repotune.showLog"]) {
      it(`runs ${id} to its end without an error (questions dismissed), leaving the workspace as it was`, async function () {
        this.timeout(15_000);
        const before = workspaceFiles();
        await settleDismissingQuestions(Promise.resolve(vscode.commands.executeCommand(id)), 10_000);
        // Dismissed means nothing done: no dataset, export or run folder appears in the workspace.
        assert.deepEqual(workspaceFiles(), before);
      });
    }
  });
}
