// The extension's own mocha suite, run by VS Code's extension host the way
// @vscode/test-electron does on the desktop: VS Code loads this bundle (out/test/suite/index.js,
// built by esbuild with mocha external) from `extensionTestsPath` and calls `run()`; a rejection
// makes the test run exit non-zero. Each test's outcome also goes to the JSON file named by
// REPOTUNE_E2E_RESULTS, so the node:test side can report every mocha test as its own test.
import { writeFileSync } from "node:fs";
import Mocha from "mocha";
import { defineExtensionTests } from "./extension.suite";
import { RESULTS_ENV, type SuiteReport, type SuiteResult } from "./results";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 20_000 });
  // The suite files are bundled into this one, so they cannot be mocha.addFile()d: install
  // the bdd globals (describe, it, before...) now, then let the suite define its tests.
  mocha.suite.emit("pre-require", globalThis, "repotune-e2e", mocha);
  defineExtensionTests();

  const report: SuiteReport = { finished: false, results: [] };
  const resultsFile = process.env[RESULTS_ENV];
  const save = () => {
    if (resultsFile) writeFileSync(resultsFile, JSON.stringify(report, null, 2));
  };
  const add = (result: SuiteResult) => {
    report.results.push(result);
    save();
  };
  save();

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      report.finished = true;
      save();
      if (failures > 0) reject(new Error(`${failures} of RepoTune's extension-host tests failed`));
      else resolve();
    });
    runner.on("pass", (test) => add({ title: test.fullTitle(), state: "passed", durationMs: test.duration ?? 0 }));
    runner.on("pending", (test) => add({ title: test.fullTitle(), state: "pending", durationMs: 0 }));
    // Also fires for a failing hook, whose tests then never run: it is reported in their place.
    runner.on("fail", (test, err: Error) =>
      add({ title: test.fullTitle(), state: "failed", durationMs: test.duration ?? 0, error: { message: err.message, stack: err.stack } }),
    );
  });
}
