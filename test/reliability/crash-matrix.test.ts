// Runs the crash-point matrix (test/reliability/crash-cases.ts): each case in
// its own world, concurrently, and prints the table at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { crashCases } from './crash-cases.ts';
import { countRetries, formatTable, limitBreaches, restagesIn } from './report.ts';
import type { CaseReport } from './types.ts';

const cases = crashCases();
const reports = new Map<string, CaseReport>();

afterAll(() => {
  const done = cases.flatMap((c) => reports.get(c.name) ?? []);
  console.log(`\n${formatTable(done)}`);
});

describe('crash-point matrix', () => {
  for (const c of cases) {
    it.concurrent(c.name, async () => {
      const report = await c.run();
      reports.set(c.name, report);
      expect(report.violations, report.detail).toBe(0);
      expect(report.passed, report.detail).toBe(true);
    });
  }
});

// The checks the matrix relies on must bite, or a passing matrix proves nothing.
describe('the report checks', () => {
  it('counts retries by route from the lines main.ts prints', () => {
    const stdout = [
      '[publish] seal and write the staged secret to every destination',
      'Retrying PUT /repos/{owner}/{repo}/actions/secrets/{secret_name} (attempt 2) in 512 ms: HTTP 503',
      'Retrying POST /v2/token (attempt 2) in 700 ms: HTTP 429',
      'Retrying PUT /repos/{owner}/{repo}/actions/secrets/{secret_name} (attempt 3) in 1020 ms: HTTP 503',
    ].join('\n');
    expect(countRetries([stdout, 'Retrying is not a retry line'])).toEqual({
      'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}': 2,
      'POST /v2/token': 1,
    });
  });

  it('flags a second activation, and two generations or activations within one window', () => {
    const ok = [
      { type: 'generated', at: 0 },
      { type: 'generated', at: 600 },
      { type: 'activated', at: 1300 },
    ];
    expect(limitBreaches(ok, 600)).toEqual([]);
    expect(restagesIn(ok)).toBe(1);
    const bad = [
      { type: 'generated', at: 0 },
      { type: 'generated', at: 600 },
      { type: 'generated', at: 1000 },
      { type: 'activated', at: 1300 },
      { type: 'activated', at: 1800 },
    ];
    expect(limitBreaches(bad, 600)).toEqual([
      '2 activations (at most 1 expected)',
      'generated twice within 400 ms (window 600 ms)',
      'activated twice within 500 ms (window 600 ms)',
    ]);
  });
});
