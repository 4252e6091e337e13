// Seeded transient faults on every route of both emulators (8 seeds here;
// `npm run reliability` sweeps more), and a permanent 403 on one destination.
import { describe, expect, it } from 'vitest';
import { faultCases } from './fault-cases.ts';

const SWEEP = 8;

describe.concurrent('faults', () => {
  for (const c of faultCases({ sweep: SWEEP })) {
    it(c.name, async () => {
      const report = await c.run();
      expect(report.passed ? 'passed' : report.detail).toBe('passed');
      expect(report.violations).toBe(0);
      expect(report.restages).toBe(0);
      if (c.name.startsWith('transient')) {
        // The faults did happen, and the action rode them out.
        expect(Object.values(report.retries).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      } else {
        // The run that met the 403, and the rerun that finished.
        expect(report.runsNeeded).toBe(2);
      }
    });
  }
});
