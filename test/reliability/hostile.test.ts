// Forged state artifacts in each phase of a rotation where their word could
// matter: no outage, no lost secret, no blocked run, no silenced reminder.
import { describe, expect, it } from 'vitest';
import { hostileCases } from './hostile-cases.ts';

describe.concurrent('hostile state', () => {
  for (const c of hostileCases()) {
    it(c.name, async () => {
      const report = await c.run();
      expect(report.passed ? 'passed' : report.detail).toBe('passed');
      expect(report.violations).toBe(0);
      expect(report.restages).toBe(0);
    });
  }
});
