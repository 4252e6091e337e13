// Overlapping runs: one client's runs started together, or one queued before
// the other escrowed (no concurrency group), or serialised by a concurrency
// group, and two clients at once.
import { describe, expect, it } from 'vitest';
import { concurrencyCases } from './fault-cases.ts';

// The cases run together and each holds one run's request until the other run
// got there: nothing races, but on two shared cores a case can take minutes.
const CASE_TIMEOUT_MS = 240_000;

describe.concurrent('concurrent runs', () => {
  for (const c of concurrencyCases()) {
    it(
      c.name,
      async () => {
        const report = await c.run();
        expect(report.passed ? 'passed' : report.detail).toBe('passed');
        expect(report.violations).toBe(0);
        expect(report.restages).toBe(0);
        // Two runs; a third only when both overlapping runs left the rotation to the other (its note says so).
        expect(report.runsNeeded).toBeGreaterThanOrEqual(2);
        expect(report.runsNeeded).toBeLessThanOrEqual(3);
      },
      CASE_TIMEOUT_MS,
    );
  }
});
