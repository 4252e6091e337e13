// The secrets REST endpoints, one table row per level; every level shares
// the same handlers (public key, list, get, put, delete), and the
// organization levels add visibility and selected repositories.
import { z } from 'zod';
import type { RequestContext, Route } from '../common/server.ts';
import type { Authorizer } from './access.ts';
import { conflict, notFound, unprocessable } from './errors.ts';
import { minimalRepository, timestamp } from './representations.ts';
import { param } from './rest.ts';
import {
  isOrgLevel,
  type SecretScope,
  type SecretStore,
  type StoredSecret,
  secretName,
} from './secret-store.ts';
import type { World } from './world.ts';

export interface SecretWriteEvent {
  scope: SecretScope;
  /** Upper-case, as stored. */
  name: string;
  action: 'put' | 'delete';
  at: Date;
}

export interface SecretsRoutesDeps {
  auth: Authorizer;
  store: SecretStore;
  world: World;
  /** The API base URL, for URLs in bodies. */
  api: () => string;
  onWrite: (event: SecretWriteEvent) => void;
}

type OrgScope = Extract<SecretScope, { org: string }>;

interface Level<S extends SecretScope = SecretScope> {
  /** The emulator's route pattern. */
  base: string;
  /** GitHub's path template for the same routes, whose rows in permission-table.ts apply. */
  github: string;
  /** Authorize the caller for the GitHub route (`METHOD template`) and name the scope (with canonical spelling). */
  resolve(ctx: RequestContext, route: string): S;
}

function repoLevels(auth: Authorizer): Level[] {
  return [
    {
      base: '/repos/:owner/:repo/actions/secrets',
      github: '/repos/{owner}/{repo}/actions/secrets',
      resolve: (ctx, route) => {
        const repo = auth.repo(ctx, param(ctx, 'owner'), param(ctx, 'repo'), route);
        return { level: 'repo', owner: repo.owner.login, repo: repo.name };
      },
    },
    {
      base: '/repos/:owner/:repo/environments/:environment/secrets',
      github: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
      resolve: (ctx, route) => {
        const { repo, environment } = auth.environment(
          ctx,
          param(ctx, 'owner'),
          param(ctx, 'repo'),
          param(ctx, 'environment'),
          route,
        );
        return {
          level: 'environment',
          owner: repo.owner.login,
          repo: repo.name,
          environment: environment.name,
        };
      },
    },
    {
      base: '/repos/:owner/:repo/dependabot/secrets',
      github: '/repos/{owner}/{repo}/dependabot/secrets',
      resolve: (ctx, route) => {
        const repo = auth.repo(ctx, param(ctx, 'owner'), param(ctx, 'repo'), route);
        return { level: 'dependabot-repo', owner: repo.owner.login, repo: repo.name };
      },
    },
  ];
}

function orgLevels(auth: Authorizer): Level<OrgScope>[] {
  return [
    {
      base: '/orgs/:org/actions/secrets',
      github: '/orgs/{org}/actions/secrets',
      resolve: (ctx, route) => ({ level: 'org', org: auth.org(ctx, param(ctx, 'org'), route).login }),
    },
    {
      base: '/orgs/:org/dependabot/secrets',
      github: '/orgs/{org}/dependabot/secrets',
      resolve: (ctx, route) => ({
        level: 'dependabot-org',
        org: auth.org(ctx, param(ctx, 'org'), route).login,
      }),
    },
  ];
}

/** Where an organization secret's selected repositories are managed. */
const selectedRepositoriesPath = (scope: OrgScope, name: string): string =>
  `/orgs/${scope.org}/${scope.level === 'org' ? 'actions' : 'dependabot'}/secrets/${name}/repositories`;

const repositoryIds = z.array(z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]));

const putBody = z.object({
  encrypted_value: z.string(),
  key_id: z.string(),
  visibility: z.enum(['all', 'private', 'selected']).optional(),
  selected_repository_ids: repositoryIds.optional(),
});

const selectedBody = z.object({ selected_repository_ids: repositoryIds });

function parse<T>(schema: z.ZodType<T>, ctx: RequestContext): T {
  let raw: unknown;
  try {
    raw = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw unprocessable('Invalid request.\n\nThe body is not valid JSON.');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const why = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw unprocessable(`Invalid request.\n\n${why}`);
  }
  return result.data;
}

function page<T>(ctx: RequestContext, items: T[]): T[] {
  const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('per_page') ?? 30)));
  const pageNo = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1));
  return items.slice((pageNo - 1) * perPage, pageNo * perPage);
}

export function secretsRoutes(deps: SecretsRoutesDeps): Route[] {
  const { store, world } = deps;

  const render = (scope: SecretScope, secret: StoredSecret): Record<string, unknown> => ({
    name: secret.name,
    created_at: timestamp(secret.createdAt),
    updated_at: timestamp(secret.updatedAt),
    ...(isOrgLevel(scope)
      ? {
          visibility: secret.visibility ?? 'all',
          ...(secret.visibility === 'selected'
            ? { selected_repositories_url: `${deps.api()}${selectedRepositoriesPath(scope, secret.name)}` }
            : {}),
        }
      : {}),
  });

  const existing = (scope: SecretScope, ctx: RequestContext): StoredSecret => {
    const secret = store.get(scope, param(ctx, 'name'));
    if (!secret) throw notFound();
    return secret;
  };

  /** Repository ids must name repositories of the organization. */
  const orgRepositoryIds = (org: string, ids: number[]): number[] => {
    const owner = world.org(org);
    for (const id of ids) {
      const repo = world.repoById(id);
      if (!repo || repo.owner !== owner)
        throw unprocessable(`Invalid request.\n\nNo repository with id ${id}.`);
    }
    return ids;
  };

  const routesFor = (level: Level): Route[] => [
    {
      method: 'GET',
      pattern: level.base,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `GET ${level.github}`);
        const all = store.list(scope);
        const secrets = page(ctx, all).map((s) => render(scope, s));
        return { status: 200, body: { total_count: all.length, secrets } };
      },
    },
    {
      method: 'GET',
      pattern: `${level.base}/public-key`,
      handler: (ctx) => ({
        status: 200,
        body: store.publicKey(level.resolve(ctx, `GET ${level.github}/public-key`)),
      }),
    },
    {
      method: 'GET',
      pattern: `${level.base}/:name`,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `GET ${level.github}/{secret_name}`);
        return { status: 200, body: render(scope, existing(scope, ctx)) };
      },
    },
    {
      method: 'PUT',
      pattern: `${level.base}/:name`,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `PUT ${level.github}/{secret_name}`);
        const name = secretName(param(ctx, 'name'));
        if (!name) {
          throw unprocessable(
            'Invalid request.\n\nSecret names can only contain alphanumeric characters or underscores, ' +
              'must not start with a number or GITHUB_.',
          );
        }
        const body = parse(putBody, ctx);
        const org = isOrgLevel(scope) ? scope.org : undefined;
        if (org !== undefined && body.visibility === undefined) {
          throw unprocessable('Invalid request.\n\nvisibility is required.');
        }
        if (body.selected_repository_ids !== undefined && body.visibility !== 'selected') {
          throw unprocessable('Invalid request.\n\nselected_repository_ids requires visibility selected.');
        }
        const now = new Date();
        const result = store.put(
          scope,
          name,
          {
            encryptedValue: body.encrypted_value,
            keyId: body.key_id,
            ...(org === undefined
              ? {}
              : {
                  visibility: body.visibility,
                  selectedRepositoryIds:
                    body.selected_repository_ids && orgRepositoryIds(org, body.selected_repository_ids),
                }),
          },
          now,
        );
        if (!result.ok) throw unprocessable(`Invalid request.\n\n${result.reason}.`);
        deps.onWrite({ scope, name, action: 'put', at: now });
        return result.created ? { status: 201, body: {} } : { status: 204 };
      },
    },
    {
      method: 'DELETE',
      pattern: `${level.base}/:name`,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `DELETE ${level.github}/{secret_name}`);
        const secret = existing(scope, ctx);
        store.delete(scope, secret.name);
        deps.onWrite({ scope, name: secret.name, action: 'delete', at: new Date() });
        return { status: 204 };
      },
    },
  ];

  const selectedRoutes = (level: Level<OrgScope>): Route[] => [
    {
      method: 'GET',
      pattern: `${level.base}/:name/repositories`,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `GET ${level.github}/{secret_name}/repositories`);
        const repos = (existing(scope, ctx).selectedRepositoryIds ?? []).flatMap((id) => {
          const repo = world.repoById(id);
          return repo ? [minimalRepository(deps.api(), repo)] : [];
        });
        return { status: 200, body: { total_count: repos.length, repositories: page(ctx, repos) } };
      },
    },
    {
      method: 'PUT',
      pattern: `${level.base}/:name/repositories`,
      handler: (ctx) => {
        const scope = level.resolve(ctx, `PUT ${level.github}/{secret_name}/repositories`);
        const secret = existing(scope, ctx);
        const { selected_repository_ids: ids } = parse(selectedBody, ctx);
        if (secret.visibility !== 'selected') {
          throw conflict("The secret's visibility is not set to selected.");
        }
        store.setSelectedRepositories(scope, secret.name, orgRepositoryIds(scope.org, ids));
        return { status: 204 };
      },
    },
  ];

  const orgs = orgLevels(deps.auth);
  return [...[...repoLevels(deps.auth), ...orgs].flatMap(routesFor), ...orgs.flatMap(selectedRoutes)];
}
