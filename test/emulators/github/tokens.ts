// Tokens and what they grant, modelled on GitHub App installation tokens and
// fine-grained personal access tokens.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearer } from '../common/server.ts';
import { badCredentials } from './errors.ts';

export type Access = 'read' | 'write';

export type Permission =
  | 'secrets'
  | 'environments'
  | 'dependabot_secrets'
  | 'organization_secrets'
  | 'organization_dependabot_secrets'
  | 'actions'
  | 'issues'
  | 'pull_requests'
  | 'metadata';

export interface TokenGrant {
  /** Repositories the token may reach, as 'owner/repo', or '*' for all. */
  repositories: string[] | '*';
  /** Organizations whose org-level endpoints the token may reach. */
  orgs?: string[];
  /** GitHub App permission names and the access granted for each. */
  permissions: Partial<Record<Permission, Access>>;
}

/** What an endpoint requires: one permission, or any one of several, at an access level. */
export interface Need {
  permission: Permission | Permission[];
  access: Access;
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenGrant>();

  add(grant: TokenGrant, token = `ghs_${randomBytes(27).toString('base64url')}`): string {
    this.tokens.set(token, grant);
    return token;
  }

  /** The grant of the request's token; 401 when it is missing or unknown. */
  authenticate(headers: IncomingHttpHeaders): TokenGrant {
    const token = bearer(headers);
    const grant = token === undefined ? undefined : this.tokens.get(token);
    if (!grant) throw badCredentials();
    return grant;
  }
}

export function reachesRepo(grant: TokenGrant, fullName: string): boolean {
  if (grant.repositories === '*') return true;
  const wanted = fullName.toLowerCase();
  return grant.repositories.some((r) => r.toLowerCase() === wanted);
}

export function reachesOrg(grant: TokenGrant, org: string): boolean {
  const wanted = org.toLowerCase();
  return (grant.orgs ?? []).some((o) => o.toLowerCase() === wanted);
}

/** Write implies read, as on GitHub; every fine-grained and installation token holds Metadata read. */
export function satisfies(grant: TokenGrant, need: Need): boolean {
  const wanted = Array.isArray(need.permission) ? need.permission : [need.permission];
  return wanted.some((p) => {
    if (p === 'metadata' && need.access === 'read') return true;
    const held = grant.permissions[p];
    return held === 'write' || (held === 'read' && need.access === 'read');
  });
}
