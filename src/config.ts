// The typed configuration the action runs with, produced once by inputs.ts.

import type { Destination } from './destination-kinds.ts';
import type { Management, Mode } from './modes.ts';

// Defined beside their tables, so a new destination kind or mode is one row there.
export type { Destination, Visibility } from './destination-kinds.ts';
export type { Management, Mode } from './modes.ts';

export interface Credential {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  mode: Mode;
  management: Management;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  stagedClientSecret?: string;
  /** Setup flow: the secret that was active before distribution, kept in `<name>_PREVIOUS`. */
  previousClientSecret?: string;
  accountId?: string;
  /** Package used for the management API; undefined means the rotated package itself. */
  admin?: Credential;
  /** Base URL of the service implementing docs/management-api.openapi.yaml; set exactly when management is `api`. */
  managementUrl?: string;
  githubToken: string;
  secretName: string;
  destinations: Destination[];
  /** Where `<name>_STAGED` is kept during a rotation; `name` already carries the suffix. */
  escrow: Destination;
  /** Setup flow: where the previously active secret is kept until the rotation is confirmed (`<name>_PREVIOUS`). */
  previousEscrow: Destination;
  /** Setup flow: open (and later close) a reminder issue when a rotation is due. */
  reminderIssue: boolean;
  rotateAfterDays: number;
  description: string;
  maxWaitSeconds: number;
  stateArtifactName: string;
  stateRetentionDays: number;
  stateToken: string;
  /** The repository and run this action executes in. */
  repository: { owner: string; repo: string };
  runId: number;
  runAttempt: number;
  apiUrl: string;
  /** Per-attempt time limit of each GitHub call. */
  githubTimeoutMs: number;
}
