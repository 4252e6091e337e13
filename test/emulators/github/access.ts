// Decides each request the way GitHub does: 401 without a valid token, 404
// when the target does not exist or the token cannot see it (GitHub hides
// existence), 403 when the token sees it but lacks the permission that
// permission-table.ts lists for the route.
import type { RequestContext } from '../common/server.ts';
import { notAccessible, notFound } from './errors.ts';
import { findOperation } from './openapi.ts';
import { needOf } from './permission-table.ts';
import { reachesOrg, reachesRepo, satisfies, type TokenGrant, type TokenRegistry } from './tokens.ts';
import type { AccountRecord, EnvironmentRecord, RepoRecord, World } from './world.ts';

/** GitHub's route string of the request, e.g. `PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}`. */
export function operationOf(ctx: RequestContext): string {
  const op = findOperation(ctx.method, ctx.url.pathname);
  if (!op) throw new Error(`no GitHub REST operation matches ${ctx.method} ${ctx.url.pathname}`);
  return op.id;
}

export class Authorizer {
  private readonly tokens: TokenRegistry;
  private readonly world: World;

  constructor(tokens: TokenRegistry, world: World) {
    this.tokens = tokens;
    this.world = world;
  }

  /** `route`: the GitHub route the handler serves; its permission comes from the table. */
  repo(ctx: RequestContext, owner: string, name: string, route: string): RepoRecord {
    const grant = this.tokens.authenticate(ctx.headers);
    const repo = this.world.repo(owner, name);
    if (!repo || !reachesRepo(grant, repo.fullName)) throw notFound();
    requirePermission(grant, ctx, route);
    return repo;
  }

  environment(
    ctx: RequestContext,
    owner: string,
    name: string,
    environment: string,
    route: string,
  ): { repo: RepoRecord; environment: EnvironmentRecord } {
    const repo = this.repo(ctx, owner, name, route);
    const env = this.world.environment(repo, environment);
    if (!env) throw notFound();
    return { repo, environment: env };
  }

  org(ctx: RequestContext, login: string, route: string): AccountRecord {
    const grant = this.tokens.authenticate(ctx.headers);
    const org = this.world.org(login);
    if (!org || !reachesOrg(grant, org.login)) throw notFound();
    requirePermission(grant, ctx, route);
    return org;
  }
}

function requirePermission(grant: TokenGrant, ctx: RequestContext, route: string): void {
  // A handler that names another route than the one requested would be checked against the wrong row.
  const requested = operationOf(ctx);
  if (requested !== route) throw new Error(`handler for ${requested} declared ${route}`);
  const need = needOf(route);
  if (need && !satisfies(grant, need)) throw notAccessible();
}
