// Prints `N passed, N failed, N skipped` from vitest's JSON report; exits 1 on failures
// or when the report is missing (the run crashed before reporting). The second argument is
// the test command's exit status: an error outside any test (an unhandled rejection or
// exception, which vitest reports but leaves out of the JSON) counts as one failure.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/results.json';
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`[ci] no test report at ${file}: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = r.numPassedTests ?? 0;
// a test file that failed without a failing test (it crashed, or a hook failed) counts once;
// vitest's numFailedTestSuites also counts the describe blocks around each failed test
const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed')).length;
let failed = (r.numFailedTests ?? 0) + brokenFiles;
const status = Number(process.argv[3] ?? 0);
if (failed === 0 && status !== 0) {
  console.log(`[ci] the test command exited with status ${status} though no test failed: an error outside the tests (see "Unhandled Errors" above)`);
  failed = 1;
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
