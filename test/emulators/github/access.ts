// Decides each request the way GitHub does: 401 without a valid token, 404
// when the target does not exist or the token cannot see it (GitHub hides
// existence), 403 when the token sees it but lacks a permission.
import type { RequestContext } from '../common/server.ts';
import { notAccessible, notFound } from './errors.ts';
import {
  type Need,
  reachesOrg,
  reachesRepo,
  satisfies,
  type TokenGrant,
  type TokenRegistry,
} from './tokens.ts';
import type { AccountRecord, EnvironmentRecord, RepoRecord, World } from './world.ts';

export class Authorizer {
  private readonly tokens: TokenRegistry;
  private readonly world: World;

  constructor(tokens: TokenRegistry, world: World) {
    this.tokens = tokens;
    this.world = world;
  }

  repo(ctx: RequestContext, owner: string, name: string, needs: Need[] = []): RepoRecord {
    const grant = this.tokens.authenticate(ctx.headers);
    const repo = this.world.repo(owner, name);
    if (!repo || !reachesRepo(grant, repo.fullName)) throw notFound();
    requireAll(grant, needs);
    return repo;
  }

  environment(
    ctx: RequestContext,
    owner: string,
    name: string,
    environment: string,
    needs: Need[] = [],
  ): { repo: RepoRecord; environment: EnvironmentRecord } {
    const repo = this.repo(ctx, owner, name, needs);
    const env = this.world.environment(repo, environment);
    if (!env) throw notFound();
    return { repo, environment: env };
  }

  org(ctx: RequestContext, login: string, needs: Need[] = []): AccountRecord {
    const grant = this.tokens.authenticate(ctx.headers);
    const org = this.world.org(login);
    if (!org || !reachesOrg(grant, org.login)) throw notFound();
    requireAll(grant, needs);
    return org;
  }
}

function requireAll(grant: TokenGrant, needs: Need[]): void {
  if (!needs.every((need) => satisfies(grant, need))) throw notAccessible();
}
