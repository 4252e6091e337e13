// The lookups a client needs to resolve names: repositories (numeric ids for
// organization secrets), organizations and environments; and workflow runs,
// to tell whether one is still at work.
import type { Route } from '../common/server.ts';
import type { Authorizer } from './access.ts';
import { notFound } from './errors.ts';
import { environment, fullRepository, organizationFull, workflowRun } from './representations.ts';
import { param } from './rest.ts';
import type { World } from './world.ts';

export function resourceRoutes(auth: Authorizer, api: () => string, world: World): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo',
      handler: (ctx) => ({
        status: 200,
        body: fullRepository(
          api(),
          auth.repo(ctx, param(ctx, 'owner'), param(ctx, 'repo'), 'GET /repos/{owner}/{repo}'),
        ),
      }),
    },
    {
      method: 'GET',
      pattern: '/orgs/:org',
      handler: (ctx) => ({
        status: 200,
        body: organizationFull(api(), auth.org(ctx, param(ctx, 'org'), 'GET /orgs/{org}')),
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/environments/:environment',
      handler: (ctx) => {
        const found = auth.environment(
          ctx,
          param(ctx, 'owner'),
          param(ctx, 'repo'),
          param(ctx, 'environment'),
          'GET /repos/{owner}/{repo}/environments/{environment_name}',
        );
        return { status: 200, body: environment(api(), found.repo, found.environment) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/actions/runs/:run_id',
      handler: (ctx) => {
        const repo = auth.repo(
          ctx,
          param(ctx, 'owner'),
          param(ctx, 'repo'),
          'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
        );
        const run = repo.runs.get(Number(param(ctx, 'run_id')));
        const headRepo = run && world.repoById(run.headRepoId);
        if (!run || !headRepo) throw notFound();
        return { status: 200, body: workflowRun(api(), repo, run, headRepo) };
      },
    },
  ];
}
