// The typed configuration the action runs with, produced once by inputs.ts.

export type Mode = 'auto' | 'rotate' | 'stage' | 'activate' | 'status' | 'plan';
/** Who stages and activates: the management API, or a person in Setup. */
export type Management = 'api' | 'setup';
export type Visibility = 'all' | 'private' | 'selected';

interface DestinationBase {
  /** Canonical, human-readable id, e.g. `repo:octo/app` or `environment:octo/app:prod name=X`. */
  id: string;
  /** The secret name written at this destination. */
  name: string;
}

export type Destination =
  | (DestinationBase & { kind: 'repo' | 'dependabot'; owner: string; repo: string })
  | (DestinationBase & { kind: 'environment'; owner: string; repo: string; environment: string })
  | (DestinationBase & {
      kind: 'org' | 'dependabot-org';
      org: string;
      visibility: Visibility;
      /** Repository names (in `org`) for visibility `selected`. */
      repositories?: string[];
    });

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
