// The typed configuration the action runs with, produced once by inputs.ts.

export type Mode = 'auto' | 'rotate' | 'stage' | 'activate' | 'status' | 'plan';
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
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  stagedClientSecret?: string;
  accountId?: string;
  /** Package used for the management API; undefined means the rotated package itself. */
  admin?: Credential;
  managementUrl?: string;
  githubToken: string;
  secretName: string;
  destinations: Destination[];
  /** Where `<name>_STAGED` is kept during a rotation; `name` already carries the suffix. */
  escrow: Destination;
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
}
