// The lookups a client needs to resolve names: repositories (numeric ids for
// organization secrets), organizations and environments.
import type { Route } from '../common/server.ts';
import type { Authorizer } from './access.ts';
import { environment, fullRepository, organizationFull } from './representations.ts';
import { param } from './rest.ts';

export function resourceRoutes(auth: Authorizer, api: () => string): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo',
      handler: (ctx) => ({
        status: 200,
        body: fullRepository(api(), auth.repo(ctx, param(ctx, 'owner'), param(ctx, 'repo'))),
      }),
    },
    {
      method: 'GET',
      pattern: '/orgs/:org',
      handler: (ctx) => ({ status: 200, body: organizationFull(api(), auth.org(ctx, param(ctx, 'org'))) }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/environments/:environment',
      handler: (ctx) => {
        // GitHub lets either permission read an environment.
        const found = auth.environment(
          ctx,
          param(ctx, 'owner'),
          param(ctx, 'repo'),
          param(ctx, 'environment'),
          [{ permission: ['environments', 'actions'], access: 'read' }],
        );
        return { status: 200, body: environment(api(), found.repo, found.environment) };
      },
    },
  ];
}
