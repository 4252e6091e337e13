// Where a destination's secret lives in GitHub's REST API. A scope (level,
// repository or organization, environment) owns one public key; several
// destinations (a secret and its escrow, say) may share it.
import type { Destination } from '../config.ts';

export type Scope =
  | { level: 'repo' | 'dependabot-repo'; owner: string; repo: string }
  | { level: 'environment'; owner: string; repo: string; environment: string }
  | { level: 'org' | 'dependabot-org'; org: string };

export type ScopeLevel = Scope['level'];

/** GitHub's route strings for one scope level, as they appear in its OpenAPI description. */
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

export const scopeRoutes: Record<ScopeLevel, ScopeRoutes> = {
  repo: routesUnder('/repos/{owner}/{repo}/actions/secrets'),
  environment: routesUnder('/repos/{owner}/{repo}/environments/{environment_name}/secrets'),
  org: routesUnder('/orgs/{org}/actions/secrets'),
  'dependabot-repo': routesUnder('/repos/{owner}/{repo}/dependabot/secrets'),
  'dependabot-org': routesUnder('/orgs/{org}/dependabot/secrets'),
};

export function scopeOf(destination: Destination): Scope {
  switch (destination.kind) {
    case 'repo':
      return { level: 'repo', owner: destination.owner, repo: destination.repo };
    case 'dependabot':
      return { level: 'dependabot-repo', owner: destination.owner, repo: destination.repo };
    case 'environment':
      return {
        level: 'environment',
        owner: destination.owner,
        repo: destination.repo,
        environment: destination.environment,
      };
    case 'org':
    case 'dependabot-org':
      return { level: destination.kind, org: destination.org };
  }
}

/** A stable identity for caching; GitHub treats these names case-insensitively. */
export function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.level, ...Object.values(scopeParams(scope))]).toLowerCase();
}

/** Path parameters for a scope's routes (octokit percent-encodes each value). */
export function scopeParams(scope: Scope): Record<string, string> {
  switch (scope.level) {
    case 'environment':
      return { owner: scope.owner, repo: scope.repo, environment_name: scope.environment };
    case 'org':
    case 'dependabot-org':
      return { org: scope.org };
    default:
      return { owner: scope.owner, repo: scope.repo };
  }
}
