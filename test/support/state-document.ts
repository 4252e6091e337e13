// A state document as the action saves it, for tests that build one by hand:
// idle, run 1, first attempt, no rotation and no history unless `extra` says otherwise.
import { type RotationState, STATE_SCHEMA_VERSION } from '../../src/rotation/state.ts';

export function stateDocument(
  clientId: string,
  updatedAt: Date | string,
  extra: Partial<RotationState> = {},
): RotationState {
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    clientId,
    phase: 'idle',
    updatedAt: typeof updatedAt === 'string' ? updatedAt : updatedAt.toISOString(),
    runId: 1,
    runAttempt: 1,
    rotation: null,
    lastActivatedAt: null,
    history: [],
    ...extra,
  };
}
