// What every reliability case reports, for the table printed by
// `npm run reliability` and for the assertions of the tests.

export interface CaseReport {
  name: string;
  passed: boolean;
  /** Runs of the action it took, the killed or failed ones included. */
  runsNeeded: number;
  /** Generations beyond the first. */
  restages: number;
  /** Retries the action logged, by route. */
  retries: Record<string, number>;
  violations: number;
  /** Why the case failed, or a short note (for example why a re-stage was needed). */
  detail: string;
}

export interface ReliabilityCase {
  name: string;
  run(): Promise<CaseReport>;
}
