// What a run did, as the report and outputs need it. Holds no secret.
import type { Destination, Mode } from '../config.ts';
import type { Phase } from './state.ts';

export type StepName =
  | 'load'
  | 'preflight'
  | 'stage'
  | 'await-usable'
  | 'publish'
  | 'verify'
  | 'activate'
  | 'confirm';

export interface StepRecord {
  step: StepName;
  startedAt: Date;
  endedAt: Date;
  outcome: 'done' | 'skipped' | 'failed';
  detail: string;
}

export interface DestinationResult {
  destination: Destination;
  /** `would-update` is what plan mode reports. */
  outcome: 'updated' | 'failed' | 'unchanged' | 'would-update';
  error?: string;
}

export type AgeSource = 'management-api' | 'state' | 'destination';

/** One source's word on when the active secret was generated. */
export interface AgeReading {
  at: Date;
  source: AgeSource;
}

/**
 * The age that counts: the oldest reading (the first of equals), so a stale or
 * forged record can make a reminder early, never late. Undefined when no source
 * knows; the flow then takes a rotation as due.
 */
export function oldestAge(readings: AgeReading[]): AgeReading | undefined {
  return readings.reduce<AgeReading | undefined>((a, b) => (a && a.at <= b.at ? a : b), undefined);
}

export interface RunResult {
  mode: Mode;
  /** One sentence: what this run did or found. */
  headline: string;
  phase: Phase;
  rotated: boolean;
  stagedAt?: Date;
  activatedAt?: Date;
  expiresAt?: Date;
  nextRotationAt?: Date;
  /** When the active secret was generated, and where that was learned. */
  secretAge?: { createdAt: Date; source: AgeSource };
  destinations: DestinationResult[];
  /** Ids of destinations written with the new secret in this run. */
  destinationsUpdated: string[];
  stateArtifactId?: number;
  steps: StepRecord[];
  /** Plan mode: what would happen, in order. */
  plan: string[];
  /** Things the user should know (old secret still accepted, state unreadable, ...). */
  notes: string[];
}

/** What a run has done before it does anything. */
export function emptyResult(mode: Mode): RunResult {
  return {
    mode,
    headline: '',
    phase: 'idle',
    rotated: false,
    destinations: [],
    destinationsUpdated: [],
    steps: [],
    plan: [],
    notes: [],
  };
}
