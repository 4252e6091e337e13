// Tokens and permissions, OpenAPI validation and the secondary rate limit of
// the GitHub emulator.
import type { Octokit } from 'octokit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, GitHubEmulator, type Permission } from './github/index.ts';
import { findOperation, responseErrors } from './github/openapi.ts';
import { PERMISSION_TABLE } from './github/permission-table.ts';
import { failure, githubClient, seal } from './github/testing.ts';

let gh: GitHubEmulator;
let admin: Octokit;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addOrg('acme');
  gh.addRepo('acme', 'app');
  gh.addRepo('acme', 'other');
  gh.addEnvironment('acme', 'app', 'production');
  admin = githubClient(
    gh,
    gh.addToken({
      repositories: '*',
      orgs: ['acme'],
      permissions: {
        secrets: 'write',
        environments: 'write',
        dependabot_secrets: 'write',
        organization_secrets: 'write',
        actions: 'read',
      },
    }),
  );
});

afterAll(async () => {
  await gh?.stop();
});

const repoKey = { owner: 'acme', repo: 'app' };

/** Octokit types its routes' parameters; malformed requests need the route as a plain string. */
const untyped = (route: string): string => route;

async function sealedPut(client: Octokit, secret_name: string) {
  const { data: key } = await admin.rest.actions.getRepoPublicKey(repoKey);
  return client.rest.actions.createOrUpdateRepoSecret({
    ...repoKey,
    secret_name,
    encrypted_value: await seal(key.key, 'not-logged'),
    key_id: key.key_id,
  });
}

describe('tokens', () => {
  it('answers 401 Bad credentials without a token or with an unknown one', async () => {
    for (const client of [githubClient(gh), githubClient(gh, 'ghs_unknown')]) {
      const { status, body } = await failure(client.rest.actions.getRepoPublicKey(repoKey));
      expect(status).toBe(401);
      expect(body).toEqual({
        message: 'Bad credentials',
        documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
        status: '401',
      });
    }
  });

  it('accepts `Bearer` and `token` authorization schemes', async () => {
    const token = gh.addToken({ repositories: ['acme/app'], permissions: { secrets: 'read' } }, 'ghp_fixed');
    expect(token).toBe('ghp_fixed');
    for (const scheme of ['Bearer', 'token']) {
      const response = await fetch(`${gh.url}/repos/acme/app/actions/secrets/public-key`, {
        headers: { authorization: `${scheme} ${token}` },
      });
      expect(response.status).toBe(200);
    }
  });

  it('hides repositories and organizations the token cannot see behind 404', async () => {
    const narrow = githubClient(
      gh,
      gh.addToken({
        repositories: ['acme/other'],
        permissions: { secrets: 'write', organization_secrets: 'write' },
      }),
    );
    for (const call of [
      narrow.rest.actions.getRepoPublicKey(repoKey),
      narrow.rest.repos.get(repoKey),
      narrow.rest.actions.getOrgPublicKey({ org: 'acme' }),
      narrow.rest.orgs.get({ org: 'acme' }),
      // Unknown targets look the same.
      admin.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'ghost' }),
      admin.rest.actions.getOrgPublicKey({ org: 'ghost' }),
      admin.rest.actions.getEnvironmentPublicKey({ ...repoKey, environment_name: 'staging' }),
    ]) {
      const { status, body } = await failure(call);
      expect(status).toBe(404);
      expect(body).toMatchObject({ message: 'Not Found', status: '404' });
    }
  });

  it('answers 403 when the token sees the target but lacks the permission', async () => {
    const readOnly = githubClient(
      gh,
      gh.addToken({ repositories: ['acme/app'], permissions: { secrets: 'read' } }),
    );
    expect((await readOnly.rest.actions.getRepoPublicKey(repoKey)).status).toBe(200);
    const denied = await failure(sealedPut(readOnly, 'DENIED'));
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: expect.any(String),
      status: '403',
    });
    expect(gh.secretNames({ level: 'repo', ...repoKey })).toEqual([]);

    const secretsOnly = githubClient(
      gh,
      gh.addToken({ repositories: ['acme/app'], orgs: ['acme'], permissions: { secrets: 'write' } }),
    );
    for (const call of [
      // Environment secrets need Environments; Secrets does not reach them.
      secretsOnly.rest.actions.getEnvironmentPublicKey({ ...repoKey, environment_name: 'production' }),
      secretsOnly.rest.dependabot.getRepoPublicKey(repoKey),
      secretsOnly.rest.actions.getOrgPublicKey({ org: 'acme' }),
      secretsOnly.rest.dependabot.getOrgPublicKey({ org: 'acme' }),
      secretsOnly.rest.actions.listArtifactsForRepo(repoKey),
    ]) {
      expect((await failure(call)).status).toBe(403);
    }
  });
});

/**
 * GitHub's published permission per operation (fine-grained and App tokens
 * alike), written out here independently of the emulator's table:
 * https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens
 */
const PINNED: [route: string, permission: Permission | null, access: Access][] = [
  ...secretRows('/repos/{owner}/{repo}/actions/secrets', 'secrets'),
  ...secretRows('/repos/{owner}/{repo}/environments/{environment_name}/secrets', 'environments'),
  ...secretRows('/repos/{owner}/{repo}/dependabot/secrets', 'dependabot_secrets'),
  ...secretRows('/orgs/{org}/actions/secrets', 'organization_secrets'),
  ['GET /orgs/{org}/actions/secrets/{secret_name}/repositories', 'organization_secrets', 'read'],
  ['PUT /orgs/{org}/actions/secrets/{secret_name}/repositories', 'organization_secrets', 'write'],
  ...secretRows('/orgs/{org}/dependabot/secrets', 'organization_dependabot_secrets'),
  [
    'GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories',
    'organization_dependabot_secrets',
    'read',
  ],
  [
    'PUT /orgs/{org}/dependabot/secrets/{secret_name}/repositories',
    'organization_dependabot_secrets',
    'write',
  ],
  ['GET /repos/{owner}/{repo}', 'metadata', 'read'],
  ['GET /orgs/{org}', null, 'read'],
  ['GET /repos/{owner}/{repo}/environments/{environment_name}', 'actions', 'read'],
  ['GET /repos/{owner}/{repo}/actions/runs/{run_id}', 'actions', 'read'],
  ['GET /repos/{owner}/{repo}/actions/artifacts', 'actions', 'read'],
  ['GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', 'actions', 'read'],
  ['GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', 'actions', 'read'],
  ['GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', 'actions', 'read'],
  ['DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}', 'actions', 'write'],
  ['GET /repos/{owner}/{repo}/issues', 'issues', 'read'],
  ['POST /repos/{owner}/{repo}/issues', 'issues', 'write'],
  ['GET /repos/{owner}/{repo}/issues/{issue_number}', 'issues', 'read'],
  ['PATCH /repos/{owner}/{repo}/issues/{issue_number}', 'issues', 'write'],
  ['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'issues', 'write'],
];

function secretRows(base: string, permission: Permission): [string, Permission, Access][] {
  return [
    [`GET ${base}`, permission, 'read'],
    [`GET ${base}/public-key`, permission, 'read'],
    [`GET ${base}/{secret_name}`, permission, 'read'],
    [`PUT ${base}/{secret_name}`, permission, 'write'],
    [`DELETE ${base}/{secret_name}`, permission, 'write'],
  ];
}

const EVERY_PERMISSION: Permission[] = [
  'secrets',
  'environments',
  'dependabot_secrets',
  'organization_secrets',
  'organization_dependabot_secrets',
  'actions',
  'issues',
  'pull_requests',
];

/** A body the OpenAPI check lets through, so that what answers is the permission check. */
function bodyFor(route: string): Record<string, unknown> | undefined {
  if (route.startsWith('PUT ') && route.endsWith('/repositories')) return { selected_repository_ids: [] };
  if (route.startsWith('PUT /orgs/')) return { encrypted_value: 'c2VjcmV0', key_id: '1', visibility: 'all' };
  if (route.startsWith('PUT ')) return { encrypted_value: 'c2VjcmV0', key_id: '1' };
  if (route === 'POST /repos/{owner}/{repo}/issues') return { title: 'pinned' };
  if (route.startsWith('PATCH ')) return { state: 'closed' };
  if (route.endsWith('/comments')) return { body: 'pinned' };
  return undefined;
}

const PATH_VALUES: Record<string, string> = {
  owner: 'acme',
  repo: 'app',
  org: 'acme',
  environment_name: 'production',
  secret_name: 'PINNED',
  run_id: '1',
  artifact_id: '1',
  archive_format: 'zip',
  issue_number: '1',
};

/** The status of one request to `route` with a token of exactly these permissions. */
async function statusWith(route: string, permissions: Partial<Record<Permission, Access>>): Promise<number> {
  const token = gh.addToken({ repositories: ['acme/app'], orgs: ['acme'], permissions });
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => PATH_VALUES[name] ?? name);
  const body = bodyFor(route);
  const response = await fetch(`${gh.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('permission table', () => {
  it('lists exactly the operations pinned here, each one of GitHub’s', () => {
    expect(Object.keys(PERMISSION_TABLE).sort()).toEqual(PINNED.map(([route]) => route).sort());
    for (const [route] of PINNED) {
      const [method, template] = route.split(' ') as [string, string];
      const concrete = template.replace(/\{(\w+)\}/g, (_, name: string) => PATH_VALUES[name] ?? name);
      expect(findOperation(method, concrete)?.id).toBe(route);
    }
  });

  it.for(PINNED)('%s: needs %s %s', async ([route, permission, access], { expect }) => {
    const exactly = permission && permission !== 'metadata' ? { [permission]: access } : {};
    expect(await statusWith(route, exactly)).not.toBe(403);
    if (!permission || permission === 'metadata') return;
    // Every other permission at write does not help.
    const others = Object.fromEntries(
      EVERY_PERMISSION.filter((p) => p !== permission && !(p === 'pull_requests' && access === 'write')).map(
        (p) => [p, 'write'],
      ),
    );
    expect(await statusWith(route, others)).toBe(403);
    if (access === 'write') expect(await statusWith(route, { ...others, [permission]: 'read' })).toBe(403);
  });

  it('lets "Pull requests: write" change an issue too, as GitHub does', async () => {
    for (const route of [
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]) {
      expect(await statusWith(route, { pull_requests: 'write' })).not.toBe(403);
    }
  });
});

describe('OpenAPI validation', () => {
  it('rejects a PUT without key_id with 422 and records it', async () => {
    const before = gh.validationFailures.length;
    const { status, body } = await failure(
      admin.request(untyped('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}'), {
        ...repoKey,
        secret_name: 'NO_KEY_ID',
        encrypted_value: 'c2VjcmV0',
      }),
    );
    expect(status).toBe(422);
    expect(body).toMatchObject({ message: 'Invalid request.', status: '422' });
    expect((body as { errors: string[] }).errors).toEqual([
      expect.stringContaining("required property 'key_id'"),
    ]);
    expect(gh.validationFailures.slice(before)).toEqual([
      {
        direction: 'request',
        method: 'PUT',
        path: '/repos/acme/app/actions/secrets/NO_KEY_ID',
        errors: expect.stringContaining('key_id'),
      },
    ]);
    expect(gh.secretNames({ level: 'repo', ...repoKey })).toEqual([]);
  });

  it('rejects a body with an extra field of the wrong type', async () => {
    const { data: key } = await admin.rest.actions.getOrgPublicKey({ org: 'acme' });
    const before = gh.validationFailures.length;
    const { status } = await failure(
      admin.request(untyped('PUT /orgs/{org}/actions/secrets/{secret_name}'), {
        org: 'acme',
        secret_name: 'WRONG_TYPE',
        encrypted_value: await seal(key.key, 'not-logged'),
        key_id: key.key_id,
        visibility: 'selected',
        selected_repository_ids: 'all of them',
      }),
    );
    expect(status).toBe(422);
    expect(gh.validationFailures.slice(before)).toEqual([
      expect.objectContaining({
        direction: 'request',
        errors: expect.stringContaining('selected_repository_ids'),
      }),
    ]);
    expect(gh.secretNames({ level: 'org', org: 'acme' })).toEqual([]);
  });

  it('checks query parameters too', async () => {
    const { status } = await failure(
      admin.request('GET /repos/{owner}/{repo}/actions/secrets?per_page=lots', repoKey),
    );
    expect(status).toBe(422);
    expect(gh.validationFailures.at(-1)?.errors).toMatch(/query\/per_page must be integer/);
    // The artifact service's REST routes go through the same validation.
    const artifacts = await failure(
      admin.request('GET /repos/{owner}/{repo}/actions/artifacts?per_page=x', repoKey),
    );
    expect(artifacts.status).toBe(422);
  });

  it('finds non-conforming responses', () => {
    const publicKey = findOperation('GET', '/repos/acme/app/actions/secrets/public-key');
    expect(publicKey?.id).toBe('GET /repos/{owner}/{repo}/actions/secrets/public-key');
    if (!publicKey) return;
    expect(responseErrors(publicKey, { status: 200, body: { key_id: '1', key: 'a' } })).toEqual([]);
    expect(responseErrors(publicKey, { status: 200, body: { key: 'a' } })).toEqual([
      "body must have required property 'key_id'",
    ]);
    expect(responseErrors(publicKey, { status: 201, body: {} })).toEqual(['status 201 is not documented']);
    // Error statuses are documented sparsely; they are not held against the emulator.
    expect(responseErrors(publicKey, { status: 404, body: { message: 'Not Found' } })).toEqual([]);

    const put = findOperation('PUT', '/repos/acme/app/environments/a%2Fb/secrets/X');
    expect(put?.params).toEqual({ owner: 'acme', repo: 'app', environment_name: 'a/b', secret_name: 'X' });
    if (!put) return;
    expect(responseErrors(put, { status: 204, body: { unexpected: true } })).toEqual([
      'status 204 documents no body but one was sent',
    ]);
    expect(findOperation('GET', '/not/github')).toBeUndefined();
  });

  it('records no failure for conforming traffic, and validates artifact REST routes but not the services', async () => {
    const before = gh.validationFailures.length;
    expect((await sealedPut(admin, 'CONFORMING')).status).toBe(201);
    const { data } = await admin.rest.actions.listArtifactsForRepo({ ...repoKey, name: 'state' });
    expect(data).toEqual({ total_count: 0, artifacts: [] });
    const twirp = await fetch(`${gh.url}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(twirp.status).not.toBe(422);
    expect(gh.validationFailures.slice(before)).toEqual([]);
  });
});

describe('secondary rate limit', () => {
  it.each([403, 429] as const)(
    'answers %i with retry-after and GitHub’s message, then recovers',
    async (status) => {
      const limit = gh.secondaryRateLimit({
        route: 'PUT /repos/:owner/:repo/actions/secrets/:name',
        status,
        retryAfter: 7,
      });
      const name = `LIMITED_${status}`;
      const limited = await failure(sealedPut(admin, name));
      expect(limited.status).toBe(status);
      expect(limited.headers['retry-after']).toBe('7');
      expect(limited.body).toMatchObject({
        message: expect.stringMatching(/^You have exceeded a secondary rate limit/),
        documentation_url: expect.stringContaining('secondary-rate-limits'),
      });
      expect(gh.secretNames({ level: 'repo', ...repoKey })).not.toContain(name);
      // Only the PUT route was limited (the key GET before it went through), and `times` defaults to one call.
      expect((await sealedPut(admin, name)).status).toBe(201);
      limit.clear();
    },
  );

  it('limits a share of calls, repeatably, with a seed', async () => {
    const pattern = async (): Promise<number[]> => {
      const limit = gh.secondaryRateLimit({ route: /public-key$/, probability: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          await admin.rest.actions.getRepoPublicKey(repoKey).then(
            (r) => r.status,
            (e: { status: number }) => e.status,
          ),
        );
      }
      limit.clear();
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(403);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });
});
