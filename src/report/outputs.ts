// The step outputs, as strings for core.setOutput. Times are RFC 3339; an
// absent value is '' so workflow expressions can test it.
import type { RunResult } from '../rotation/result.ts';

const time = (date: Date | undefined): string => date?.toISOString() ?? '';

export function outputsOf(result: RunResult): Record<string, string> {
  return {
    phase: result.phase,
    rotated: String(result.rotated),
    'staged-at': time(result.stagedAt),
    'activated-at': time(result.activatedAt),
    'expires-at': time(result.expiresAt),
    'next-rotation-at': time(result.nextRotationAt),
    'destinations-updated': JSON.stringify(result.destinationsUpdated),
    'state-artifact-id': result.stateArtifactId === undefined ? '' : String(result.stateArtifactId),
  };
}
