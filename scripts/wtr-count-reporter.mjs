// Writes Web Test Runner's pass/fail counts where scripts/test.mjs can add them to the total.
import { writeFileSync } from 'node:fs';

function count(suite, totals) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) totals.skipped++;
    else if (test.passed) totals.passed++;
    else totals.failed++;
  }
  for (const child of suite?.suites ?? []) count(child, totals);
}

export function countReporter(file = process.env.IK_WTR_COUNTS) {
  return {
    onTestRunFinished({ sessions }) {
      const totals = { passed: 0, failed: 0, skipped: 0, errors: 0 };
      for (const session of sessions) {
        count(session.testResults, totals);
        // A file that failed to load or threw outside a test has errors but no failed test.
        totals.errors += session.errors?.length ?? 0;
        if (!session.passed && (session.testResults?.tests.length ?? 0) === 0 && !session.errors?.length) totals.errors++;
      }
      if (file) writeFileSync(file, JSON.stringify(totals));
    },
  };
}
