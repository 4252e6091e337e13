// The destination kinds, one row each: what follows `<kind>:`, an example
// line, where GitHub keeps the secret (REST routes) and the permission a token
// needs there. The `Destination` type, the grammar, the routes and the error
// messages all read this table, so a new kind is one row here plus whatever
// is truly new about it (a new target shape, a new write body).

export type Visibility = 'all' | 'private' | 'selected';

/** What a line names after `<kind>:`; it decides the destination's fields, options and public-key scope. */
export type Target = 'repository' | 'environment' | 'organization';

/** The fields a destination carries for each target. */
export interface TargetFields {
  repository: { owner: string; repo: string };
  environment: { owner: string; repo: string; environment: string };
  organization: {
    org: string;
    visibility: Visibility;
    /** Repository names (in `org`) for visibility `selected`. */
    repositories?: string[];
  };
}

export interface KindSpec {
  target: Target;
  /** A line that parses, quoted in every error about the kind. */
  example: string;
  /** GitHub's path of the kind's secrets collection, as in its OpenAPI description. */
  secretsPath: string;
  /** The write permission the kind needs (README's table "The token the action needs"). */
  permission: {
    /** Whose permission it is for a fine-grained token. */
    on: 'repository' | 'organization';
    /** Its name in a fine-grained token's settings. */
    fineGrained: string;
    /** Its name for a GitHub App (`permissions:` of actions/create-github-app-token). */
    app: string;
  };
}

// Key order is the order messages list the kinds in.
const kindTable = {
  repo: {
    target: 'repository',
    example: 'repo:octo-org/app',
    secretsPath: '/repos/{owner}/{repo}/actions/secrets',
    permission: { on: 'repository', fineGrained: 'Secrets', app: 'secrets' },
  },
  environment: {
    target: 'environment',
    example: 'environment:octo-org/app:production',
    secretsPath: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
    permission: { on: 'repository', fineGrained: 'Environments', app: 'environments' },
  },
  org: {
    target: 'organization',
    example: 'org:octo-org visibility=private',
    secretsPath: '/orgs/{org}/actions/secrets',
    permission: { on: 'organization', fineGrained: 'Secrets', app: 'organization_secrets' },
  },
  dependabot: {
    target: 'repository',
    example: 'dependabot:octo-org/app',
    secretsPath: '/repos/{owner}/{repo}/dependabot/secrets',
    permission: { on: 'repository', fineGrained: 'Dependabot secrets', app: 'dependabot_secrets' },
  },
  'dependabot-org': {
    target: 'organization',
    example: 'dependabot-org:octo-org visibility=selected repositories=app,api',
    secretsPath: '/orgs/{org}/dependabot/secrets',
    permission: {
      on: 'organization',
      fineGrained: 'Dependabot secrets',
      app: 'organization_dependabot_secrets',
    },
  },
} as const satisfies Record<string, KindSpec>;

export type DestinationKind = keyof typeof kindTable;
export type TargetOf<K extends DestinationKind> = (typeof kindTable)[K]['target'];

export const destinationKinds: Readonly<Record<DestinationKind, KindSpec>> = kindTable;
export const kindNames = Object.keys(kindTable) as DestinationKind[];

interface DestinationBase {
  /** Canonical, human-readable id, e.g. `repo:octo/app` or `environment:octo/app:prod name=X`. */
  id: string;
  /** The secret name written at this destination. */
  name: string;
}

/** One GitHub secret to write: its kind, and the fields of that kind's target. */
export type Destination = {
  [K in DestinationKind]: DestinationBase & { kind: K } & TargetFields[TargetOf<K>];
}[DestinationKind];

/** A destination of any kind with target `T`. */
export type AtTarget<T extends Target> = Extract<Destination, { kind: KindsAt<T> }>;
type KindsAt<T extends Target> = {
  [K in DestinationKind]: TargetOf<K> extends T ? K : never;
}[DestinationKind];

/**
 * Calls the handler for the destination's target. The one cast is sound
 * because `Destination` is built from the same table row that names the target.
 */
export function byTarget<R>(d: Destination, handlers: { [T in Target]: (d: AtTarget<T>) => R }): R {
  return (handlers[destinationKinds[d.kind].target] as (d: Destination) => R)(d);
}

export const atOrganization = (d: Destination): d is AtTarget<'organization'> =>
  destinationKinds[d.kind].target === 'organization';

/** The permission a kind needs, as a fine-grained token and a GitHub App name it. */
export function describePermission(kind: DestinationKind): string {
  const { on, fineGrained, app } = destinationKinds[kind].permission;
  return `the ${on} permission "${fineGrained}: write" (GitHub App: \`${app}: write\`)`;
}

/** Where the destination's secret lives, in words. */
export function describePlace(d: Destination): string {
  return byTarget(d, {
    repository: (r) => `repository ${r.owner}/${r.repo}`,
    environment: (e) => `environment "${e.environment}" of ${e.owner}/${e.repo}`,
    organization: (o) => `organization ${o.org}`,
  });
}
