// `npm run reliability`: the crash-point matrix, the transient-fault sweep,
// the concurrency cases and the hostile-state cases, run against the bundled action on the loopback
// emulators, reported as one table. Exits 1 if any case fails.
//
// RELIABILITY_SWEEP     rotations in the fault sweep (default 8, what CI runs)
// RELIABILITY_SEED      first seed of the sweep (default: the cases' own)
// RELIABILITY_PARALLEL  cases run at once (default 4)
import { crashCases } from '../test/reliability/crash-cases.ts';
import { concurrencyCases, faultCases } from '../test/reliability/fault-cases.ts';
import { hostileCases } from '../test/reliability/hostile-cases.ts';
import { formatTable } from '../test/reliability/report.ts';
import type { CaseReport, ReliabilityCase } from '../test/reliability/types.ts';

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number of at least 1, not ${text}`);
  return value;
}

const sweep = positiveInteger('RELIABILITY_SWEEP', 8);
const parallel = positiveInteger('RELIABILITY_PARALLEL', 4);
const seed = process.env.RELIABILITY_SEED ? positiveInteger('RELIABILITY_SEED', 1) : undefined;

const cases: ReliabilityCase[] = [
  ...crashCases(),
  ...faultCases({ sweep, seed }),
  ...concurrencyCases(),
  ...hostileCases(),
];

/** Runs one case; a case that throws is a failed case, not a crashed script. */
async function runOne(c: ReliabilityCase): Promise<CaseReport> {
  const started = Date.now();
  let report: CaseReport;
  try {
    report = await c.run();
  } catch (error) {
    report = {
      name: c.name,
      passed: false,
      runsNeeded: 0,
      restages: 0,
      retries: {},
      violations: 0,
      detail: `the case threw: ${(error as Error).message}`,
    };
  }
  console.error(
    `${report.passed ? 'pass' : 'FAIL'}  ${c.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return report;
}

const started = Date.now();
console.error(`Running ${cases.length} cases, ${parallel} at a time (fault sweep: ${sweep}).`);
const reports: CaseReport[] = new Array(cases.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(parallel, cases.length) }, async () => {
    while (next < cases.length) {
      const index = next++;
      reports[index] = await runOne(cases[index] as ReliabilityCase);
    }
  }),
);
console.error(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
console.log(formatTable(reports));
if (reports.some((r) => !r.passed)) process.exitCode = 1;
