// Where a destination's secret lives in GitHub's REST API. A scope (kind, and
// the repository, environment or organization) owns one public key; several
// destinations (a secret and its escrow, say) may share it.
import type { Destination } from '../config.ts';
import {
  byTarget,
  type DestinationKind,
  destinationKinds,
  kindNames,
  type Target,
  type TargetFields,
  type TargetOf,
} from '../destination-kinds.ts';

/** Who may read an organization secret: sent with each write, not part of where the secret lives. */
type Readers = Pick<TargetFields['organization'], 'visibility' | 'repositories'>;

/** What names a scope, by target: a destination's fields less its readers. */
type ScopeFields = { [T in Target]: Omit<TargetFields[T], keyof Readers> };

export type Scope = { [K in DestinationKind]: { level: K } & ScopeFields[TargetOf<K>] }[DestinationKind];

export type ScopeLevel = Scope['level'];

/** GitHub's route strings for one kind, as they appear in its OpenAPI description. */
export interface ScopeRoutes {
  publicKey: string;
  get: string;
  put: string;
  delete: string;
}

function routesUnder(path: string): ScopeRoutes {
  return {
    publicKey: `GET ${path}/public-key`,
    get: `GET ${path}/{secret_name}`,
    put: `PUT ${path}/{secret_name}`,
    delete: `DELETE ${path}/{secret_name}`,
  };
}

export const scopeRoutes = Object.fromEntries(
  kindNames.map((kind) => [kind, routesUnder(destinationKinds[kind].secretsPath)]),
) as Record<ScopeLevel, ScopeRoutes>;

export function scopeOf(destination: Destination): Scope {
  return byTarget<Scope>(destination, {
    repository: ({ kind, owner, repo }) => ({ level: kind, owner, repo }),
    environment: ({ kind, owner, repo, environment }) => ({ level: kind, owner, repo, environment }),
    organization: ({ kind, org }) => ({ level: kind, org }),
  });
}

/** A stable identity for caching; GitHub treats these names case-insensitively. */
export function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.level, ...Object.values(scopeParams(scope))]).toLowerCase();
}

/** Path parameters for a scope's routes (octokit percent-encodes each value). */
export function scopeParams(scope: Scope): Record<string, string> {
  if ('org' in scope) return { org: scope.org };
  if ('environment' in scope)
    return { owner: scope.owner, repo: scope.repo, environment_name: scope.environment };
  return { owner: scope.owner, repo: scope.repo };
}
