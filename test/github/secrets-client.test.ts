// The GitHub secrets adapter against the GitHub emulator: real Octokit, real
// sealing, the emulator's private keys as the oracle, and every request and
// response checked against GitHub's OpenAPI description.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/config.ts';
import { DestinationError } from '../../src/errors.ts';
import { createGitHubClient, GITHUB_RETRIES } from '../../src/github/octokit.ts';
import { createSecretsClient } from '../../src/github/secrets-client.ts';
import type { PublishOutcome } from '../../src/rotation/ports.ts';
import { GitHubEmulator, type SecretScope, type TokenGrant } from '../emulators/github/index.ts';
import { findLeaks } from '../support/leak-scan.ts';

const PLAINTEXT = 'sfmc-rotated-secret-7f3a9c2e41d8b6a0XYZ';
const ENV = 'prod eu/blue';
const PUT_REPO_SECRET = 'PUT /repos/:owner/:repo/actions/secrets/:name';

const ALL_PERMISSIONS: TokenGrant['permissions'] = {
  secrets: 'write',
  environments: 'write',
  dependabot_secrets: 'write',
  organization_secrets: 'write',
  organization_dependabot_secrets: 'write',
};

const d = {
  repo: { kind: 'repo', id: 'repo:acme/app', name: 'SFMC_SECRET', owner: 'acme', repo: 'app' },
  escrow: {
    kind: 'repo',
    id: 'repo:acme/app name=SFMC_SECRET_STAGED',
    name: 'SFMC_SECRET_STAGED',
    owner: 'acme',
    repo: 'app',
  },
  environment: {
    kind: 'environment',
    id: `environment:acme/app:${ENV}`,
    name: 'SFMC_SECRET',
    owner: 'acme',
    repo: 'app',
    environment: ENV,
  },
  org: {
    kind: 'org',
    id: 'org:acme visibility=selected repositories=api,web',
    name: 'SFMC_SECRET',
    org: 'acme',
    visibility: 'selected',
    repositories: ['api', 'web'],
  },
  orgPrivate: {
    kind: 'org',
    id: 'org:acme visibility=private name=SFMC_OTHER',
    name: 'SFMC_OTHER',
    org: 'acme',
    visibility: 'private',
  },
  dependabot: {
    kind: 'dependabot',
    id: 'dependabot:acme/api',
    name: 'SFMC_SECRET',
    owner: 'acme',
    repo: 'api',
  },
  dependabotOrg: {
    kind: 'dependabot-org',
    id: 'dependabot-org:acme visibility=selected repositories=web,api',
    name: 'SFMC_SECRET',
    org: 'acme',
    visibility: 'selected',
    repositories: ['web', 'api'],
  },
} satisfies Record<string, Destination>;

const everyKind: Destination[] = Object.values(d);

const scopes = {
  repo: { level: 'repo', owner: 'acme', repo: 'app' },
  environment: { level: 'environment', owner: 'acme', repo: 'app', environment: ENV },
  org: { level: 'org', org: 'acme' },
  dependabot: { level: 'dependabot-repo', owner: 'acme', repo: 'api' },
  dependabotOrg: { level: 'dependabot-org', org: 'acme' },
} satisfies Record<string, SecretScope>;

const KEY_PATHS = [
  '/repos/acme/app/actions/secrets/public-key',
  '/repos/acme/app/environments/prod%20eu%2Fblue/secrets/public-key',
  '/orgs/acme/actions/secrets/public-key',
  '/repos/acme/api/dependabot/secrets/public-key',
  '/orgs/acme/dependabot/secrets/public-key',
].sort();

let gh: GitHubEmulator;
let repoIds: { app: number; api: number; web: number };
/** Every message a test saw from the adapter (outcome errors, thrown errors, log lines). */
let messages: string[];

beforeEach(async () => {
  gh = await GitHubEmulator.start();
  gh.addOrg('acme');
  repoIds = {
    app: gh.addRepo('acme', 'app').id,
    api: gh.addRepo('acme', 'api').id,
    web: gh.addRepo('acme', 'web').id,
  };
  gh.addEnvironment('acme', 'app', ENV);
  messages = [];
});

afterEach(async () => {
  expect(gh.validationFailures).toEqual([]);
  expect(
    findLeaks({ 'emulator log': JSON.stringify(gh.server.log), messages: messages.join('\n') }, [PLAINTEXT]),
  ).toEqual([]);
  // No sealed value (long Base64) in anything meant for people.
  for (const message of messages) expect(message).not.toMatch(/[A-Za-z0-9+/]{60,}/);
  await gh.stop();
});

function token(
  permissions: TokenGrant['permissions'] = ALL_PERMISSIONS,
  repositories: TokenGrant['repositories'] = '*',
) {
  return gh.addToken({ repositories, orgs: ['acme'], permissions });
}

/**
 * The adapter over the client main.ts builds, its plugins' waits shortened a thousandfold
 * (a wait of 60 s takes 60 ms); `octokitLines` are the client's lines about failed attempts and
 * rate-limit waits, `waits` the waits in seconds the plugins were told.
 */
function harness(options: { token?: string; concurrency?: number; fetch?: typeof fetch } = {}) {
  const octokitLines: string[] = [];
  const log = { debug: (m: string) => messages.push(m), info: (m: string) => messages.push(m) };
  const octokit = createGitHubClient({
    token: options.token ?? token(),
    baseUrl: gh.url,
    timeoutMs: 30_000,
    msPerSecond: 1,
    log: { info: (m) => octokitLines.push(m) },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const client = createSecretsClient({ octokit, concurrency: options.concurrency, log });
  const waits = () => octokitLines.flatMap((l) => /waiting (\d+) s/.exec(l)?.[1] ?? []).map(Number);
  return { client, octokitLines, waits };
}

async function rejection(promise: Promise<unknown>): Promise<DestinationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DestinationError))
    throw new Error(`expected a DestinationError, got ${String(error)}`);
  messages.push(error.message);
  return error;
}

function seen(outcomes: PublishOutcome[]): PublishOutcome[] {
  for (const o of outcomes) if (o.error) messages.push(o.error);
  return outcomes;
}

const logOf = (method: string, pattern: RegExp) =>
  gh.server.log.filter((e) => e.method === method && pattern.test(e.path)).map((e) => e.path);

describe('publish', () => {
  it('writes every kind of destination, and the oracle opens each', async () => {
    const { client } = harness();
    await client.prepare(everyKind);
    const outcomes = seen(await client.publish(everyKind, PLAINTEXT));

    expect(outcomes.map((o) => [o.destination.id, o.ok])).toEqual(everyKind.map((x) => [x.id, true]));
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET_STAGED')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.environment, 'SFMC_SECRET')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.org, 'SFMC_SECRET')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.org, 'SFMC_OTHER')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.dependabot, 'SFMC_SECRET')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.dependabotOrg, 'SFMC_SECRET')).toBe(PLAINTEXT);

    // Organization visibility, with repository names resolved to ids (a set: order aside).
    const selected = (scope: SecretScope, name: string) => {
      const meta = gh.secretMeta(scope, name);
      return { visibility: meta?.visibility, ids: [...(meta?.selected_repository_ids ?? [])].sort() };
    };
    const apiAndWeb = [repoIds.api, repoIds.web].sort();
    expect(selected(scopes.org, 'SFMC_SECRET')).toEqual({ visibility: 'selected', ids: apiAndWeb });
    expect(selected(scopes.dependabotOrg, 'SFMC_SECRET')).toEqual({ visibility: 'selected', ids: apiAndWeb });
    expect(gh.secretMeta(scopes.org, 'SFMC_OTHER')).toMatchObject({ visibility: 'private' });
    expect(gh.secretMeta(scopes.org, 'SFMC_OTHER')).not.toHaveProperty('selected_repository_ids');

    // The environment name travels percent-encoded, `/` included.
    expect(logOf('PUT', /\/environments\//)).toEqual([
      '/repos/acme/app/environments/prod%20eu%2Fblue/secrets/SFMC_SECRET',
    ]);
  });

  it('makes one public-key GET per distinct scope and one GET per repository, with only GETs in prepare', async () => {
    const { client } = harness();
    await client.prepare(everyKind);
    expect(gh.server.writes()).toEqual([]);
    seen(await client.publish(everyKind, PLAINTEXT));

    expect(logOf('GET', /\/public-key$/).sort()).toEqual(KEY_PATHS);
    expect(logOf('GET', /^\/repos\/acme\/[^/]+$/).sort()).toEqual(['/repos/acme/api', '/repos/acme/web']);
    // The environment is looked up only when its key cannot be read.
    expect(logOf('GET', /\/environments\/[^/]+$/)).toEqual([]);
    expect(logOf('PUT', /./)).toHaveLength(everyKind.length);
  });

  it('fetches keys lazily, still once per scope, when publish runs without prepare', async () => {
    const { client } = harness({ concurrency: 8 });
    const outcomes = seen(await client.publish(everyKind, PLAINTEXT));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(logOf('GET', /\/public-key$/).sort()).toEqual(KEY_PATHS);
    expect(logOf('GET', /^\/repos\/acme\/[^/]+$/)).toHaveLength(2);
  });

  it.each([
    { concurrency: 3, peak: 3 },
    { concurrency: undefined, peak: 4 },
  ])('keeps at most $peak PUTs in flight (concurrency $concurrency)', async ({ concurrency, peak }) => {
    const many: Destination[] = Array.from({ length: 10 }, (_, i) => ({
      kind: 'repo',
      id: `repo:acme/app name=S_${i}`,
      name: `S_${i}`,
      owner: 'acme',
      repo: 'app',
    }));
    let inFlight = 0;
    let highest = 0;
    // The PUTs are held at the emulator until `peak` are in flight at once: no timing involved.
    let release = () => {};
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    const countingFetch: typeof fetch = async (input, init) => {
      const isPut = init?.method === 'PUT';
      if (isPut) highest = Math.max(highest, ++inFlight);
      if (inFlight === peak) release();
      try {
        return await fetch(input, init);
      } finally {
        if (isPut) inFlight--;
      }
    };
    gh.server.faults.inject({ route: PUT_REPO_SECRET, mode: { kind: 'hold', until }, times: many.length });
    const { client } = harness({ concurrency, fetch: countingFetch });
    const outcomes = seen(await client.publish(many, PLAINTEXT));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(highest).toBe(peak);
    expect(outcomes.map((o) => o.destination.id)).toEqual(many.map((m) => m.id));
    for (const m of many) expect(gh.secretValue(scopes.repo, m.name)).toBe(PLAINTEXT);
  });

  it('reports one destination failure and still writes the others', async () => {
    const { client } = harness({ token: token(ALL_PERMISSIONS, ['acme/app']) });
    const outcomes = seen(await client.publish([d.repo, d.dependabot], PLAINTEXT));
    expect(outcomes[0]).toEqual({ destination: d.repo, ok: true });
    expect(outcomes[1]?.ok).toBe(false);
    expect(outcomes[1]?.error).toContain(d.dependabot.id);
    expect(outcomes[1]?.error).toContain('"Dependabot secrets: write"');
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET')).toBe(PLAINTEXT);
  });
});

// octokit's plugins retry (octokit.ts); these check how they are configured and what the log says.
describe('retries', () => {
  it('retries a 500 on the PUT, and logs the failed attempt', async () => {
    gh.server.faults.inject({ route: PUT_REPO_SECRET, mode: { kind: 'status', status: 500 }, times: 1 });
    const { client, octokitLines } = harness();
    const outcomes = seen(await client.publish([d.repo], PLAINTEXT));
    expect(outcomes[0]?.ok).toBe(true);
    expect(octokitLines).toEqual(['GitHub answered 500 to PUT /repos/acme/app/actions/secrets/SFMC_SECRET']);
    expect(logOf('PUT', /./)).toHaveLength(2);
  });

  // plugin-retry repeats a 429 as a server error (its default), without reading Retry-After.
  it('repeats a 429', async () => {
    gh.server.faults.inject({
      route: PUT_REPO_SECRET,
      mode: { kind: 'status', status: 429, retryAfter: 7 },
      times: 1,
    });
    const { client } = harness();
    expect(seen(await client.publish([d.repo], PLAINTEXT))[0]?.ok).toBe(true);
    expect(logOf('PUT', /./)).toHaveLength(2);
  });

  // A secondary limit answered with 429 is first repeated by plugin-retry (its default), so it
  // takes one 429 per plugin-retry attempt before the throttling plugin waits.
  it.each([403, 429] as const)('waits out a secondary rate limit answered with %i', async (status) => {
    const times = status === 429 ? GITHUB_RETRIES + 1 : 1;
    gh.secondaryRateLimit({ route: PUT_REPO_SECRET, times, status, retryAfter: 3 });
    const { client, waits, octokitLines } = harness();
    expect(seen(await client.publish([d.repo], PLAINTEXT))[0]?.ok).toBe(true);
    expect(waits()).toEqual([3]);
    expect(octokitLines[0]).toMatch(/secondary rate limit stopped PUT \/repos\/\{owner\}/);
    expect(logOf('PUT', /./)).toHaveLength(times + 1);
  });

  it('waits a minute on a secondary rate limit that names no time', async () => {
    gh.server.faults.inject({
      route: PUT_REPO_SECRET,
      times: 1,
      mode: { kind: 'status', status: 403, body: { message: 'You have exceeded a secondary rate limit.' } },
    });
    const { client, waits } = harness();
    expect(seen(await client.publish([d.repo], PLAINTEXT))[0]?.ok).toBe(true);
    expect(waits()).toEqual([60]);
  });

  it('waits for x-ratelimit-reset when the primary rate limit is spent', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 5;
    gh.server.faults.inject({
      route: PUT_REPO_SECRET,
      times: 1,
      mode: {
        kind: 'status',
        status: 403,
        body: { message: 'API rate limit exceeded' },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      },
    });
    const { client, waits } = harness();
    expect(seen(await client.publish([d.repo], PLAINTEXT))[0]?.ok).toBe(true);
    expect(waits()[0]).toBeGreaterThanOrEqual(3);
    expect(waits()[0]).toBeLessThanOrEqual(7);
  });

  it('fails at once when a rate limit asks for a longer wait than a run should', async () => {
    gh.secondaryRateLimit({ route: PUT_REPO_SECRET, times: 1, status: 403, retryAfter: 3_600 });
    const { client, waits } = harness();
    const [outcome] = seen(await client.publish([d.repo], PLAINTEXT));
    expect(outcome?.error).toMatch(
      /still failed after retries .*secondary rate limit.*rerun the workflow later/,
    );
    expect(waits()).toEqual([]);
    expect(logOf('PUT', /./)).toHaveLength(1);
  });

  it('retries a connection reset, on the public key too', async () => {
    gh.server.faults.inject({ route: /public-key/, mode: { kind: 'reset' }, times: 1 });
    gh.server.faults.inject({ route: PUT_REPO_SECRET, mode: { kind: 'reset' }, times: 1 });
    const { client, octokitLines } = harness();
    await client.prepare([d.repo]);
    expect(seen(await client.publish([d.repo], PLAINTEXT))[0]?.ok).toBe(true);
    expect(octokitLines).toEqual([
      expect.stringMatching(/^GitHub did not answer GET \/repos\/acme\/app\/actions\/secrets\/public-key: /),
      expect.stringMatching(/^GitHub did not answer PUT \/repos\/acme\/app\/actions\/secrets\/SFMC_SECRET: /),
    ]);
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET')).toBe(PLAINTEXT);
  });

  it("gives up after the plugin's attempts and says to rerun later", async () => {
    gh.server.faults.inject({ route: PUT_REPO_SECRET, mode: { kind: 'status', status: 503 }, times: 10 });
    const { client } = harness();
    const [outcome] = seen(await client.publish([d.repo], PLAINTEXT));
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toMatch(
      /^repo:acme\/app: GitHub still failed after retries .*HTTP 503.*rerun the workflow later/,
    );
    expect(logOf('PUT', /./)).toHaveLength(GITHUB_RETRIES + 1);
  });

  it('does not retry a 403 permission error, and names the destination and the permission', async () => {
    const { client, octokitLines } = harness({ token: token({ secrets: 'read' }) });
    await client.prepare([d.repo]);
    const [outcome] = seen(await client.publish([d.repo], PLAINTEXT));
    expect(octokitLines).toEqual([]);
    expect(logOf('PUT', /./)).toHaveLength(1);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toContain('repo:acme/app: GitHub answered 403 while writing the secret');
    expect(outcome?.error).toContain('the repository permission "Secrets: write"');
    expect(outcome?.error).toContain("workflow's GITHUB_TOKEN cannot write secrets");
    expect(outcome?.error).toContain('actions/create-github-app-token');
    expect(outcome?.error).toContain('fine-grained personal access token');
  });
});

describe('prepare', () => {
  it.each([
    // Environment secrets are under "Environments"; "Secrets" does not reach them.
    {
      destination: d.environment,
      permissions: { secrets: 'write' },
      needs: 'the repository permission "Environments: write" (GitHub App: `environments: write`)',
    },
    {
      destination: d.orgPrivate,
      permissions: { secrets: 'write' },
      needs: 'the organization permission "Secrets: write"',
    },
    {
      destination: d.dependabot,
      permissions: { secrets: 'write' },
      needs: 'the repository permission "Dependabot secrets: write"',
    },
    {
      destination: d.dependabotOrg,
      permissions: { organization_secrets: 'write' },
      needs: 'the organization permission "Dependabot secrets: write"',
    },
  ] satisfies { destination: Destination; permissions: TokenGrant['permissions']; needs: string }[])(
    'names the permission $destination.kind needs',
    async ({ destination, permissions, needs }) => {
      const { client, octokitLines } = harness({ token: token(permissions) });
      const error = await rejection(client.prepare([destination]));
      expect(error.subject).toBe(destination.id);
      expect(error.message).toContain(`${destination.id}: GitHub answered 403 while reading the public key`);
      expect(error.message).toContain(needs);
      expect(error.message).toContain('GITHUB_TOKEN cannot write secrets');
      expect(octokitLines).toEqual([]);
      expect(logOf('GET', /\/public-key$/)).toHaveLength(1);
    },
  );

  it('says a 404 may be a missing permission or a missing repository', async () => {
    const { client } = harness({ token: token(ALL_PERMISSIONS, ['acme/web']) });
    const error = await rejection(client.prepare([d.repo]));
    expect(error.message).toContain('repo:acme/app: GitHub answered 404');
    expect(error.message).toContain(
      '(GitHub App: `secrets: write`) on repository acme/app (or that does not exist)',
    );
  });

  it('says the github-token is invalid or expired on 401', async () => {
    const { client } = harness({ token: 'ghs_not_a_known_token' });
    const error = await rejection(client.prepare([d.repo]));
    expect(error.message).toContain('repo:acme/app: GitHub answered 401');
    expect(error.message).toContain('the github-token is invalid or expired');
  });

  it('names a missing environment of an existing repository', async () => {
    const staging: Destination = {
      ...d.environment,
      id: 'environment:acme/app:staging',
      environment: 'staging',
    };
    // No "Actions: read": the public key's 404 and the visible repository tell it.
    const { client } = harness({ token: token({ secrets: 'write', environments: 'write' }) });
    const error = await rejection(client.prepare([d.repo, staging]));
    expect(error.subject).toBe(staging.id);
    expect(error.message).toContain('environment "staging" does not exist in acme/app');
    expect(logOf('GET', /\/environments\/[^/]+$/)).toEqual([]);
    expect(gh.server.writes()).toEqual([]);
  });

  it('names the destination and the repository when an organization repository is unknown', async () => {
    const org: Destination = {
      ...d.org,
      id: 'org:acme visibility=selected repositories=api,nope',
      repositories: ['api', 'nope'],
    };
    const { client } = harness();
    const error = await rejection(client.prepare([d.repo, org]));
    expect(error).toBeInstanceOf(DestinationError);
    expect(error.subject).toBe(org.id);
    expect(error.message).toContain(org.id);
    expect(error.message).toContain('acme/nope');
    expect(gh.server.writes()).toEqual([]);
  });
});

describe('stale public keys', () => {
  it('refetches a replaced key once for the scope, reseals and writes', async () => {
    const { client } = harness();
    await client.prepare([d.repo, d.escrow, d.environment]);
    gh.rotatePublicKey(scopes.repo);
    const outcomes = seen(await client.publish([d.repo, d.escrow, d.environment], PLAINTEXT));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(logOf('GET', /\/actions\/secrets\/public-key$/)).toHaveLength(2);
    expect(logOf('GET', /\/environments\/.*\/public-key$/)).toHaveLength(1);
    // Two PUTs refused with the stale key_id, then both written with the new one.
    const statuses = gh.server.log.filter((e) => e.route === PUT_REPO_SECRET).map((e) => e.status);
    expect(statuses.sort()).toEqual([201, 201, 422, 422]);
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET')).toBe(PLAINTEXT);
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET_STAGED')).toBe(PLAINTEXT);
  });

  it('reports a 422 that is not about the key after a single key refetch', async () => {
    gh.server.faults.inject({ route: PUT_REPO_SECRET, mode: { kind: 'status', status: 422 }, times: 1 });
    const { client } = harness();
    await client.prepare([d.repo]);
    const [outcome] = seen(await client.publish([d.repo], PLAINTEXT));
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toBe(
      "repo:acme/app: GitHub answered 422 while writing the secret: injected fault 422; check this destination's settings.",
    );
    expect(logOf('GET', /\/public-key$/)).toHaveLength(2);
    expect(logOf('PUT', /./)).toHaveLength(1);
  });
});

describe('remove and updatedAt', () => {
  it.each([
    ['repo', d.repo, scopes.repo],
    ['environment', d.environment, scopes.environment],
    ['org', d.org, scopes.org],
    ['dependabot', d.dependabot, scopes.dependabot],
    ['dependabot-org', d.dependabotOrg, scopes.dependabotOrg],
  ] as const)('reads the age of and deletes a %s secret', async (_kind, destination, scope) => {
    const { client } = harness();
    expect(await client.updatedAt(destination)).toBeUndefined();
    expect(seen(await client.publish([destination], PLAINTEXT))[0]?.ok).toBe(true);
    const updatedAt = await client.updatedAt(destination);
    expect(updatedAt?.toISOString().replace('.000Z', 'Z')).toBe(
      gh.secretMeta(scope, destination.name)?.updated_at,
    );
    await client.remove(destination);
    expect(gh.secretValue(scope, destination.name)).toBeUndefined();
    expect(await client.updatedAt(destination)).toBeUndefined();
    await client.remove(destination); // absent is fine
    expect(logOf('DELETE', /./)).toHaveLength(2);
  });

  it('throws a DestinationError when the token may not delete', async () => {
    gh.seedSecret(scopes.repo, 'SFMC_SECRET', PLAINTEXT);
    const { client } = harness({ token: token({ secrets: 'read' }) });
    const error = await rejection(client.remove(d.repo));
    expect(error.message).toContain('repo:acme/app: GitHub answered 403 while deleting the secret');
    expect(gh.secretValue(scopes.repo, 'SFMC_SECRET')).toBe(PLAINTEXT);
  });
});

describe('write check', () => {
  const probeScope: SecretScope = { level: 'repo', owner: 'acme', repo: 'app' };

  it('writes and deletes <secret-name>_WRITE_CHECK beside the escrow, and nothing else', async () => {
    gh.seedSecret(probeScope, 'SFMC_SECRET_STAGED', PLAINTEXT);
    const { client } = harness();
    await client.prepare([d.repo, d.escrow]);
    expect(await (await client.probeWrite(d.escrow)).removed).toBeUndefined();
    expect(gh.server.writes().map((e) => `${e.method} ${e.path}`)).toEqual([
      'PUT /repos/acme/app/actions/secrets/SFMC_SECRET_WRITE_CHECK',
      'DELETE /repos/acme/app/actions/secrets/SFMC_SECRET_WRITE_CHECK',
    ]);
    expect(gh.secretNames(probeScope)).toEqual(['SFMC_SECRET_STAGED']);
    expect(gh.secretValue(probeScope, 'SFMC_SECRET_STAGED')).toBe(PLAINTEXT);
    // The key fetched in prepare serves the probe.
    expect(logOf('GET', /\/actions\/secrets\/public-key$/)).toHaveLength(1);
  });

  it('succeeds when another run checking at the same moment deleted the probe first', async () => {
    const { client } = harness();
    gh.server.faults.inject({
      route: 'DELETE /repos/:owner/:repo/actions/secrets/:name',
      mode: { kind: 'status', status: 404, body: { message: 'Not Found' } },
    });
    expect(await (await client.probeWrite(d.escrow)).removed).toBeUndefined();
    expect(gh.server.log.at(-1)?.status).toBe(404);
  });

  it('resolves once the probe is written; a delete that fails leaves it, and says so', async () => {
    const { client } = harness();
    gh.server.faults.inject({
      route: 'DELETE /repos/:owner/:repo/actions/secrets/:name',
      mode: { kind: 'status', status: 403, body: { message: 'Resource not accessible by integration' } },
    });
    const { removed } = await client.probeWrite(d.escrow);
    const left = await removed;
    expect(left).toContain('GitHub answered 403 while deleting the write check SFMC_SECRET_WRITE_CHECK');
    expect(left).toContain('never a credential');
    expect(gh.secretNames(probeScope)).toEqual(['SFMC_SECRET_WRITE_CHECK']);
  });

  it('replaces and deletes a probe a killed run left behind', async () => {
    gh.seedSecret(probeScope, 'SFMC_SECRET_WRITE_CHECK', 'left by a killed run');
    const { client } = harness();
    await (await client.probeWrite(d.escrow)).removed;
    expect(gh.secretNames(probeScope)).toEqual([]);
  });

  it.each([
    {
      destination: d.escrow,
      permissions: { secrets: 'read' },
      needs: 'the repository permission "Secrets: write" (GitHub App: `secrets: write`)',
    },
    {
      destination: {
        ...d.environment,
        id: `environment:acme/app:${ENV} name=SFMC_SECRET_PREVIOUS`,
        name: 'SFMC_SECRET_PREVIOUS',
      },
      permissions: { environments: 'read' },
      needs: 'the repository permission "Environments: write" (GitHub App: `environments: write`)',
    },
  ] satisfies { destination: Destination; permissions: TokenGrant['permissions']; needs: string }[])(
    'finds a token that can read but not write $destination.kind, and leaves nothing',
    async ({ destination, permissions, needs }) => {
      const { client } = harness({ token: token(permissions) });
      await client.prepare([destination]);
      const error = await rejection(client.probeWrite(destination));
      expect(error.subject).toBe(destination.id);
      expect(error.message).toContain(
        `${destination.id}: GitHub answered 403 while checking that the github-token can write here`,
      );
      expect(error.message).toContain('SFMC_SECRET_WRITE_CHECK');
      expect(error.message).toContain(needs);
      expect(gh.server.writes().filter((e) => e.status !== 403)).toEqual([]);
    },
  );
});
