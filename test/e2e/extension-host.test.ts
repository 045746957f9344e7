// The extension's mocha suite inside a real VS Code (code-server 1.139's extension host;
// the UI around it is the web workbench, not the Electron app). Every mocha test becomes
// its own node:test test here, so the closing "N passed, N failed" counts each of them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runHostSuite } from "./harness/host-suite";
import { e2eSkipReason } from "./harness/skip";

const skip = e2eSkipReason();

// node:test awaits an async describe body before running the tests it defined: the suite
// runs first, then each of its results is reported as a test. A harness failure (an install,
// code-server, chromium) fails this describe: it is never a skip.
describe("e2e: mocha suite in the real extension host", async () => {
  if (skip) {
    // A skipped test (not a skipped describe) so that the summary line counts it.
    it("the mocha suite in the real extension host", { skip }, () => {});
    return;
  }
  const run = await runHostSuite(150_000);

  it("the extension host ran the suite to its end and exited 0", () => {
    assert.equal(run.report.finished, true, `mocha did not finish; see ${run.dir}`);
    assert.ok(run.report.results.length > 0, "mocha reported no tests");
    assert.equal(run.exitCode, 0, `codeAutomationExit(${run.exitCode}); see ${run.dir}`);
  });

  for (const result of run.report.results) {
    it(result.title, { skip: result.state === "pending" ? "pending in mocha" : false }, () => {
      if (result.state !== "failed") return;
      const error = new Error(result.error?.message ?? "failed");
      if (result.error?.stack) error.stack = result.error.stack;
      throw error;
    });
  }
});
