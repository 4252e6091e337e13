// Shared by the reliability cases: runs a case in a fresh world with the
// outage oracle watching, and turns what it observed (the runs' stdout,
// Marketing Cloud's history, the oracle, the leak scan) into a CaseReport.
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import { World } from '../support/world.ts';
import type { CaseReport } from './types.ts';

/** `Retrying <route> (attempt N) in X ms: <reason>`, as main.ts logs each retry. */
const RETRY_LINE = /^Retrying (.+) \(attempt \d+\) in \d+ ms: /;

/**
 * Retries that main.ts's `Retrying <route>` lines (Marketing Cloud) do not show:
 * GitHub's, as src/github/octokit.ts logs each failed attempt and rate-limit wait
 * of octokit's plugins, @actions/artifact's own Twirp client's, and the state
 * store's repeated saves and downloads.
 */
const OTHER_RETRY_LINES: Array<[RegExp, string]> = [
  [/^GitHub (answered \d+ to|did not answer) /, 'GitHub (octokit plugin-retry)'],
  [/^GitHub's (secondary )?rate limit stopped /, 'GitHub (octokit plugin-throttling)'],
  [/^Attempt \d+ of \d+ failed with error: /, 'artifact service (Twirp, @actions/artifact)'],
  [/^::debug::Saving the state failed /, 'state artifact save'],
  [/^::debug::Downloading the state failed /, 'state artifact download'],
];

/** Retries the action logged, by route, over all the given stdouts. */
export function countRetries(stdouts: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const stdout of stdouts) {
    for (const line of stdout.split('\n')) {
      const route =
        RETRY_LINE.exec(line)?.[1] ?? OTHER_RETRY_LINES.find(([pattern]) => pattern.test(line))?.[1];
      if (route) counts[route] = (counts[route] ?? 0) + 1;
    }
  }
  return counts;
}

type HistoryEvent = { type: string; at: number };

/** Generations beyond the first. */
export function restagesIn(history: readonly HistoryEvent[]): number {
  return Math.max(0, history.filter((e) => e.type === 'generated').length - 1);
}

/**
 * Breaks of the platform's limits in Marketing Cloud's history: more
 * activations than one rotation needs, or two generations (or two
 * activations) less than one window apart.
 */
export function limitBreaches(history: readonly HistoryEvent[], windowMs: number): string[] {
  const breaches: string[] = [];
  const activations = history.filter((e) => e.type === 'activated').length;
  if (activations > 1) breaches.push(`${activations} activations (at most 1 expected)`);
  for (const type of ['generated', 'activated']) {
    const times = history.filter((e) => e.type === type).map((e) => e.at);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
      if (gap < windowMs) breaches.push(`${type} twice within ${gap} ms (window ${windowMs} ms)`);
    }
  }
  return breaches;
}

export interface CaseOutcome {
  /** What the case's own checks found wrong; it passes when there is nothing here and nothing was violated. */
  problems: string[];
  /** A short note for the table, e.g. why a re-stage was needed. */
  note?: string;
}

/** The report of one case, from its world, its oracle and its own findings. */
export function buildReport(
  name: string,
  world: World,
  oracle: OutageOracle,
  windowMs: number,
  outcome: CaseOutcome,
): CaseReport {
  const history = world.mc.history(world.clientId);
  const breaches = limitBreaches(history, windowMs);
  const leaks = world.leaks();
  const problems = [
    ...outcome.problems,
    ...(world.gh.validationFailures.length > 0
      ? [`${world.gh.validationFailures.length} OpenAPI validation failure(s)`]
      : []),
  ];
  const violations = [
    ...oracle.violations.map((v) => `outage at ${v.destination} after ${v.trigger}`),
    ...breaches,
    ...leaks.map((l) => `secret leaked (${l.form}) in ${l.where}`),
  ];
  const failures = [...violations, ...problems];
  return {
    name,
    passed: failures.length === 0,
    runsNeeded: world.runs.length,
    restages: restagesIn(history),
    retries: countRetries(world.runs.map((r) => r.stdout)),
    violations: violations.length,
    detail: [...failures, outcome.note ?? ''].filter(Boolean).join('; '),
  };
}

/**
 * Runs a case in a fresh world whose three destinations hold the initial
 * secret, the oracle watching them from before the first run; a throw fails
 * the case.
 */
export async function runCase(
  name: string,
  windowMs: number,
  body: (world: World, watched: WatchedDestination[]) => Promise<CaseOutcome>,
): Promise<CaseReport> {
  const world = await World.create({ windowMs });
  try {
    const watched = world.seedThreeDestinations();
    const oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
    let outcome: CaseOutcome;
    try {
      outcome = await body(world, watched);
    } catch (error) {
      outcome = { problems: [`the case threw: ${(error as Error).stack ?? String(error)}`] };
    } finally {
      oracle.stop();
    }
    return buildReport(name, world, oracle, windowMs, outcome);
  } finally {
    await world.stop();
  }
}

function retriesByRoute(retries: Record<string, number>): string {
  return Object.entries(retries)
    .sort(([, a], [, b]) => b - a)
    .map(([route, n]) => `${route} ×${n}`)
    .join(', ');
}

/** The table `npm run reliability` prints, with the totals as its last line. */
export function formatTable(reports: readonly CaseReport[]): string {
  const header = ['case', 'result', 'runs', 're-stages', 'retries', 'violations', 'detail'];
  const rows = reports.map((r) => {
    const byRoute = retriesByRoute(r.retries);
    return [
      r.name,
      r.passed ? 'pass' : 'FAIL',
      String(r.runsNeeded),
      String(r.restages),
      String(Object.values(r.retries).reduce((sum, n) => sum + n, 0)),
      String(r.violations),
      [r.detail, byRoute && `retries: ${byRoute}`].filter(Boolean).join('; '),
    ];
  });
  // The detail column is free text: only the others are padded.
  const widths = header
    .slice(0, -1)
    .map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const passed = reports.filter((r) => r.passed).length;
  const violations = reports.reduce((sum, r) => sum + r.violations, 0);
  return [
    line(header),
    ...rows.map(line),
    `${reports.length} cases: ${passed} passed, ${reports.length - passed} failed, ${violations} violations`,
  ].join('\n');
}
