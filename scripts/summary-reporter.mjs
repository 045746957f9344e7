// A node:test reporter that prints the one closing line the whole suite is judged by:
// "N passed, N failed, N skipped". Suites (describe blocks) are not counted, tests are,
// at any depth. A test file that fails to load counts as one failed test.
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { details, skip, todo } = event.data;
    if (details?.type === "suite") {
      // A suite that fails outside its tests (a throwing before() hook) still counts once.
      if (event.type === "test:fail" && details.error?.failureType !== "subtestsFailed") failed++;
      continue;
    }
    if (skip || todo) skipped++;
    else if (event.type === "test:pass") passed++;
    else failed++;
  }
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
