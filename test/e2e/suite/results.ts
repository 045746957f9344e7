// What the in-host mocha suite reports back to the node:test side: one entry per mocha
// test (or failed hook), written as JSON into the run folder.
export interface SuiteResult {
  /** Mocha's full title: the describe blocks and the test, space-separated. */
  title: string;
  state: "passed" | "failed" | "pending";
  durationMs: number;
  error?: { message: string; stack?: string };
}

export interface SuiteReport {
  /** False until mocha's run ended: a host that died mid-run leaves `false` here. */
  finished: boolean;
  results: SuiteResult[];
}

/** The environment variable (passed through the `extensionEnvironment` payload) naming the report file. */
export const RESULTS_ENV = "REPOTUNE_E2E_RESULTS";
