// What the decision tables of test/rotation/api-plan.test.ts and
// setup-plan.test.ts share: one expectation per mode, and a rotation record.
import { expect } from 'vitest';
import { type Mode, modes } from '../../src/modes.ts';
import type { RotationRecord } from '../../src/rotation/state.ts';

/** One expectation per mode, in the order of `modes`: auto, rotate, stage, activate, status, plan. */
export function byMode<T>(...expected: T[]): Record<Mode, T> {
  expect(expected).toHaveLength(modes.length);
  return Object.fromEntries(modes.map((mode, i) => [mode, expected[i]])) as Record<Mode, T>;
}

/** A rotation record of a staging whose times do not matter to the decision under test. */
export function rotationRecord(stagedFingerprint: string, previousFingerprint?: string): RotationRecord {
  return {
    stagedFingerprint,
    previousFingerprint,
    stagedAt: '2026-11-01T00:00:00.000Z',
    usableAt: '2026-11-01T00:05:00.000Z',
    expiresAt: '2027-04-30T00:00:00.000Z',
    escrowId: 'escrow',
    publishedTo: [],
    stagedByRun: 1,
  };
}
