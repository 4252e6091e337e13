// The GitHub emulator's secrets REST API, driven by the real Octokit client
// with values sealed by libsodium, checked against the emulator's oracles.
import { randomBytes } from 'node:crypto';
import type { Octokit } from 'octokit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubEmulator, type SecretScope, type SecretWriteEvent } from './github/index.ts';
import { failure, githubClient, seal } from './github/testing.ts';

const ENV = 'prod / eu';
const repoScope: SecretScope = { level: 'repo', owner: 'acme', repo: 'app' };
const envScope: SecretScope = { level: 'environment', owner: 'acme', repo: 'app', environment: ENV };
const orgScope: SecretScope = { level: 'org', org: 'acme' };
const dependabotRepoScope: SecretScope = { level: 'dependabot-repo', owner: 'acme', repo: 'app' };
const dependabotOrgScope: SecretScope = { level: 'dependabot-org', org: 'acme' };

let gh: GitHubEmulator;
let octokit: Octokit;
let repoIds: { app: number; web: number; api: number };
const events: SecretWriteEvent[] = [];
/** Every plaintext the tests wrote, for the log check. */
const written: string[] = [];

function newValue(): string {
  const value = `value-${randomBytes(12).toString('hex')}`;
  written.push(value);
  return value;
}

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addOrg('acme');
  repoIds = {
    app: gh.addRepo('acme', 'app').id,
    web: gh.addRepo('acme', 'web').id,
    api: gh.addRepo('acme', 'api', { private: false }).id,
  };
  gh.addEnvironment('acme', 'app', ENV);
  const token = gh.addToken({
    repositories: ['acme/app', 'acme/web', 'acme/api'],
    orgs: ['acme'],
    permissions: {
      secrets: 'write',
      environments: 'write',
      dependabot_secrets: 'write',
      organization_secrets: 'write',
      organization_dependabot_secrets: 'write',
      // GET an environment needs Actions read.
      actions: 'read',
    },
  });
  octokit = githubClient(gh, token);
  gh.on('secret-write', (event) => events.push(event));
});

afterAll(async () => {
  await gh?.stop();
});

describe('repository secrets', () => {
  it('creates (201), updates (204), reads, lists and deletes, holding only ciphertext', async () => {
    const { data: key } = await octokit.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'app' });
    expect(Buffer.from(key.key, 'base64')).toHaveLength(32);
    expect(key.key_id).toMatch(/^\d+$/);

    const first = newValue();
    const created = await octokit.rest.actions.createOrUpdateRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'sfmc_client_secret',
      encrypted_value: await seal(key.key, first),
      key_id: key.key_id,
    });
    expect(created.status).toBe(201);
    expect(gh.secretValue(repoScope, 'SFMC_CLIENT_SECRET')).toBe(first);
    expect(gh.secretNames(repoScope)).toEqual(['SFMC_CLIENT_SECRET']);

    const second = newValue();
    const updated = await octokit.rest.actions.createOrUpdateRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(key.key, second),
      key_id: key.key_id,
    });
    expect(updated.status).toBe(204);
    expect(gh.secretValue(repoScope, 'sfmc_client_secret')).toBe(second);

    const { data: meta } = await octokit.rest.actions.getRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'sfmc_client_secret',
    });
    expect(meta).toEqual({
      name: 'SFMC_CLIENT_SECRET',
      created_at: gh.secretMeta(repoScope, 'SFMC_CLIENT_SECRET')?.created_at,
      updated_at: gh.secretMeta(repoScope, 'SFMC_CLIENT_SECRET')?.updated_at,
    });
    expect(Date.parse(meta.updated_at)).toBeGreaterThan(Date.now() - 60_000);

    const { data: list } = await octokit.rest.actions.listRepoSecrets({ owner: 'acme', repo: 'app' });
    expect(list.total_count).toBe(1);
    expect(list.secrets.map((s) => s.name)).toEqual(['SFMC_CLIENT_SECRET']);

    const deleted = await octokit.rest.actions.deleteRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'SFMC_CLIENT_SECRET',
    });
    expect(deleted.status).toBe(204);
    expect(gh.secretValue(repoScope, 'SFMC_CLIENT_SECRET')).toBeUndefined();
    const again = { owner: 'acme', repo: 'app', secret_name: 'SFMC_CLIENT_SECRET' };
    expect((await failure(octokit.rest.actions.getRepoSecret(again))).status).toBe(404);
    expect((await failure(octokit.rest.actions.deleteRepoSecret(again))).status).toBe(404);
    expect(gh.validationFailures).toEqual([]);
  });

  it("emits 'secret-write' synchronously, after the change", async () => {
    const seen: Array<{ event: SecretWriteEvent; value: string | undefined }> = [];
    const listener = (event: SecretWriteEvent): void => {
      seen.push({ event, value: gh.secretValue(event.scope, event.name) });
    };
    gh.on('secret-write', listener);
    const { data: key } = await octokit.rest.actions.getRepoPublicKey({ owner: 'ACME', repo: 'App' });
    const value = newValue();
    const before = Date.now();
    const target = { owner: 'ACME', repo: 'App', secret_name: 'Events_Probe' };
    await octokit.rest.actions.createOrUpdateRepoSecret({
      ...target,
      encrypted_value: await seal(key.key, value),
      key_id: key.key_id,
    });
    await octokit.rest.actions.deleteRepoSecret(target);
    gh.off('secret-write', listener);

    expect(seen.map((s) => [s.event.action, s.event.name, s.event.scope, s.value])).toEqual([
      ['put', 'EVENTS_PROBE', repoScope, value],
      ['delete', 'EVENTS_PROBE', repoScope, undefined],
    ]);
    expect(seen[0]?.event.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(events.slice(-2).map((e) => e.action)).toEqual(['put', 'delete']);
  });

  it('seeds secrets with a given age without emitting events', async () => {
    const count = events.length;
    const value = newValue();
    const updatedAt = new Date('2026-01-02T03:04:05.678Z');
    gh.seedSecret(repoScope, 'seeded', value, { updatedAt });
    expect(events).toHaveLength(count);
    expect(gh.secretValue(repoScope, 'SEEDED')).toBe(value);
    const { data } = await octokit.rest.actions.getRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'SEEDED',
    });
    expect(data.updated_at).toBe('2026-01-02T03:04:05Z');
    expect(gh.secretMeta(repoScope, 'seeded')).toEqual({
      created_at: '2026-01-02T03:04:05Z',
      updated_at: '2026-01-02T03:04:05Z',
    });
    expect(() => gh.seedSecret({ level: 'repo', owner: 'acme', repo: 'nope' }, 'X', value)).toThrow(
      /unknown/,
    );
  });
});

describe('environment secrets', () => {
  it('writes to an environment whose name needs URL encoding', async () => {
    const { data: key } = await octokit.rest.actions.getEnvironmentPublicKey({
      owner: 'acme',
      repo: 'app',
      environment_name: ENV,
    });
    const target = { owner: 'acme', repo: 'app', environment_name: ENV, secret_name: 'SFMC_CLIENT_SECRET' };
    const first = newValue();
    const created = await octokit.rest.actions.createOrUpdateEnvironmentSecret({
      ...target,
      encrypted_value: await seal(key.key, first),
      key_id: key.key_id,
    });
    expect(created.status).toBe(201);
    expect(created.url).toContain('/environments/prod%20%2F%20eu/secrets/');
    expect(gh.secretValue(envScope, 'SFMC_CLIENT_SECRET')).toBe(first);
    // The environment has its own key pair, distinct from the repository's.
    const { data: repoKey } = await octokit.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'app' });
    expect(repoKey.key).not.toBe(key.key);

    const second = newValue();
    const updated = await octokit.rest.actions.createOrUpdateEnvironmentSecret({
      ...target,
      encrypted_value: await seal(key.key, second),
      key_id: key.key_id,
    });
    expect(updated.status).toBe(204);
    expect(gh.secretValue(envScope, 'SFMC_CLIENT_SECRET')).toBe(second);

    const { data: meta } = await octokit.rest.actions.getEnvironmentSecret(target);
    expect(meta.name).toBe('SFMC_CLIENT_SECRET');
    const { data: list } = await octokit.rest.actions.listEnvironmentSecrets({
      owner: 'acme',
      repo: 'app',
      environment_name: ENV,
    });
    expect(list.secrets.map((s) => s.name)).toEqual(['SFMC_CLIENT_SECRET']);
    expect((await octokit.rest.actions.deleteEnvironmentSecret(target)).status).toBe(204);
    expect(gh.secretNames(envScope)).toEqual([]);
    expect(gh.validationFailures).toEqual([]);
  });
});

describe('organization secrets', () => {
  it('writes with visibility selected and manages the selected repositories', async () => {
    const { data: key } = await octokit.rest.actions.getOrgPublicKey({ org: 'acme' });
    const value = newValue();
    const created = await octokit.rest.actions.createOrUpdateOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(key.key, value),
      key_id: key.key_id,
      visibility: 'selected',
      selected_repository_ids: [repoIds.api, repoIds.web],
    });
    expect(created.status).toBe(201);
    expect(gh.secretValue(orgScope, 'SFMC_CLIENT_SECRET')).toBe(value);
    // Selected repositories are a set: ascending ids, whatever the request order.
    expect(gh.secretMeta(orgScope, 'SFMC_CLIENT_SECRET')).toMatchObject({
      visibility: 'selected',
      selected_repository_ids: [repoIds.web, repoIds.api],
    });

    const { data: meta } = await octokit.rest.actions.getOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
    });
    expect(meta).toMatchObject({
      name: 'SFMC_CLIENT_SECRET',
      visibility: 'selected',
      selected_repositories_url: `${gh.url}/orgs/acme/actions/secrets/SFMC_CLIENT_SECRET/repositories`,
    });

    const { data: selected } = await octokit.rest.actions.listSelectedReposForOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
    });
    expect(selected.total_count).toBe(2);
    expect(selected.repositories.map((r) => r.full_name)).toEqual(['acme/web', 'acme/api']);

    const set = await octokit.rest.actions.setSelectedReposForOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      selected_repository_ids: [repoIds.app],
    });
    expect(set.status).toBe(204);
    expect(gh.secretMeta(orgScope, 'SFMC_CLIENT_SECRET')?.selected_repository_ids).toEqual([repoIds.app]);

    // An update that keeps `selected` without ids keeps the list; another visibility drops it.
    await octokit.rest.actions.createOrUpdateOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(key.key, value),
      key_id: key.key_id,
      visibility: 'selected',
    });
    expect(gh.secretMeta(orgScope, 'SFMC_CLIENT_SECRET')?.selected_repository_ids).toEqual([repoIds.app]);
    const updated = await octokit.rest.actions.createOrUpdateOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(key.key, value),
      key_id: key.key_id,
      visibility: 'private',
    });
    expect(updated.status).toBe(204);
    expect(gh.secretMeta(orgScope, 'SFMC_CLIENT_SECRET')).not.toHaveProperty('selected_repository_ids');
    const { data: list } = await octokit.rest.actions.listOrgSecrets({ org: 'acme' });
    expect(list.secrets).toEqual([
      expect.objectContaining({ name: 'SFMC_CLIENT_SECRET', visibility: 'private' }),
    ]);

    expect(
      (
        await failure(
          octokit.rest.actions.setSelectedReposForOrgSecret({
            org: 'acme',
            secret_name: 'SFMC_CLIENT_SECRET',
            selected_repository_ids: [repoIds.app],
          }),
        )
      ).status,
    ).toBe(409);
    expect(
      (await octokit.rest.actions.deleteOrgSecret({ org: 'acme', secret_name: 'SFMC_CLIENT_SECRET' })).status,
    ).toBe(204);
    expect(gh.validationFailures).toEqual([]);
  });

  it('refuses repository ids outside the organization and ids without visibility selected', async () => {
    const { data: key } = await octokit.rest.actions.getOrgPublicKey({ org: 'acme' });
    const base = {
      org: 'acme',
      secret_name: 'ORG_REFUSED',
      encrypted_value: await seal(key.key, newValue()),
      key_id: key.key_id,
    };
    const unknownId = await failure(
      octokit.rest.actions.createOrUpdateOrgSecret({
        ...base,
        visibility: 'selected',
        selected_repository_ids: [1],
      }),
    );
    expect(unknownId.status).toBe(422);
    const idsWithAll = await failure(
      octokit.rest.actions.createOrUpdateOrgSecret({
        ...base,
        visibility: 'all',
        selected_repository_ids: [repoIds.web],
      }),
    );
    expect(idsWithAll.status).toBe(422);
    expect(gh.secretNames(orgScope)).toEqual([]);
  });
});

describe('Dependabot secrets', () => {
  it('writes repository and organization Dependabot secrets with their own keys', async () => {
    const { data: repoKey } = await octokit.rest.dependabot.getRepoPublicKey({ owner: 'acme', repo: 'app' });
    const repoValue = newValue();
    const created = await octokit.rest.dependabot.createOrUpdateRepoSecret({
      owner: 'acme',
      repo: 'app',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(repoKey.key, repoValue),
      key_id: repoKey.key_id,
    });
    expect(created.status).toBe(201);
    expect(gh.secretValue(dependabotRepoScope, 'SFMC_CLIENT_SECRET')).toBe(repoValue);
    // An Actions secret of the same name is a different secret.
    expect(gh.secretValue(repoScope, 'SFMC_CLIENT_SECRET')).toBeUndefined();

    const { data: orgKey } = await octokit.rest.dependabot.getOrgPublicKey({ org: 'acme' });
    const orgValue = newValue();
    const orgCreated = await octokit.rest.dependabot.createOrUpdateOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(orgKey.key, orgValue),
      key_id: orgKey.key_id,
      visibility: 'selected',
      selected_repository_ids: [String(repoIds.web)],
    });
    expect(orgCreated.status).toBe(201);
    expect(gh.secretValue(dependabotOrgScope, 'SFMC_CLIENT_SECRET')).toBe(orgValue);
    expect(gh.secretMeta(dependabotOrgScope, 'SFMC_CLIENT_SECRET')?.selected_repository_ids).toEqual([
      repoIds.web,
    ]);
    const { data: meta } = await octokit.rest.dependabot.getOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
    });
    expect(meta.selected_repositories_url).toBe(
      `${gh.url}/orgs/acme/dependabot/secrets/SFMC_CLIENT_SECRET/repositories`,
    );
    const { data: selected } = await octokit.rest.dependabot.listSelectedReposForOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
    });
    expect(selected.repositories.map((r) => r.id)).toEqual([repoIds.web]);

    const orgUpdated = await octokit.rest.dependabot.createOrUpdateOrgSecret({
      org: 'acme',
      secret_name: 'SFMC_CLIENT_SECRET',
      encrypted_value: await seal(orgKey.key, orgValue),
      key_id: orgKey.key_id,
      visibility: 'all',
    });
    expect(orgUpdated.status).toBe(204);
    expect(
      (
        await octokit.rest.dependabot.deleteRepoSecret({
          owner: 'acme',
          repo: 'app',
          secret_name: 'SFMC_CLIENT_SECRET',
        })
      ).status,
    ).toBe(204);
    expect(gh.validationFailures).toEqual([]);
  });
});

describe('what GitHub refuses', () => {
  it('refuses a stale key_id after the public key rotates, and accepts the new one', async () => {
    const target = { owner: 'acme', repo: 'web', secret_name: 'ROTATED' };
    const { data: old } = await octokit.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'web' });
    const first = newValue();
    await octokit.rest.actions.createOrUpdateRepoSecret({
      ...target,
      encrypted_value: await seal(old.key, first),
      key_id: old.key_id,
    });

    gh.rotatePublicKey({ level: 'repo', owner: 'acme', repo: 'web' });
    const stale = await failure(
      octokit.rest.actions.createOrUpdateRepoSecret({
        ...target,
        encrypted_value: await seal(old.key, newValue()),
        key_id: old.key_id,
      }),
    );
    expect(stale.status).toBe(422);
    expect(stale.body).toMatchObject({ message: expect.stringMatching(/^Invalid request/), status: '422' });
    // Secrets sealed to the old key still read back.
    expect(gh.secretValue({ level: 'repo', owner: 'acme', repo: 'web' }, 'ROTATED')).toBe(first);

    const { data: fresh } = await octokit.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'web' });
    expect(fresh.key_id).not.toBe(old.key_id);
    // The new key_id with a value sealed to the old key does not open.
    const wrongKey = await failure(
      octokit.rest.actions.createOrUpdateRepoSecret({
        ...target,
        encrypted_value: await seal(old.key, newValue()),
        key_id: fresh.key_id,
      }),
    );
    expect(wrongKey.status).toBe(422);
    const second = newValue();
    const ok = await octokit.rest.actions.createOrUpdateRepoSecret({
      ...target,
      encrypted_value: await seal(fresh.key, second),
      key_id: fresh.key_id,
    });
    expect(ok.status).toBe(204);
    expect(gh.secretValue({ level: 'repo', owner: 'acme', repo: 'web' }, 'ROTATED')).toBe(second);
  });

  it('refuses bad secret names and values over 48 KB', async () => {
    const { data: key } = await octokit.rest.actions.getRepoPublicKey({ owner: 'acme', repo: 'api' });
    const put = async (name: string, value: string) =>
      octokit.rest.actions.createOrUpdateRepoSecret({
        owner: 'acme',
        repo: 'api',
        secret_name: name,
        encrypted_value: await seal(key.key, value),
        key_id: key.key_id,
      });
    for (const name of ['GITHUB_TOKEN_COPY', 'github_x', '1ST', 'WITH-DASH', 'STRAßE']) {
      expect((await failure(put(name, 'x'))).status, name).toBe(422);
    }
    expect((await failure(put('BIG', 'x'.repeat(48 * 1024 + 1)))).status).toBe(422);
    expect((await put('_LEADING_UNDERSCORE', 'x'.repeat(48 * 1024))).status).toBe(201);
    expect(gh.secretNames({ level: 'repo', owner: 'acme', repo: 'api' })).toEqual(['_LEADING_UNDERSCORE']);
  });
});

describe('lookups', () => {
  it('resolves repositories, organizations and environments with conforming bodies', async () => {
    const { data: repo } = await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    expect(repo).toMatchObject({ id: repoIds.web, full_name: 'acme/web', private: true });
    const { data: org } = await octokit.rest.orgs.get({ org: 'ACME' });
    expect(org).toMatchObject({ login: 'acme', type: 'Organization' });
    const { data: env } = await octokit.rest.repos.getEnvironment({
      owner: 'acme',
      repo: 'app',
      environment_name: ENV,
    });
    expect(env.name).toBe(ENV);
    expect((await failure(octokit.rest.repos.get({ owner: 'acme', repo: 'missing' }))).status).toBe(404);
    expect(
      (
        await failure(
          octokit.rest.repos.getEnvironment({ owner: 'acme', repo: 'app', environment_name: 'nope' }),
        )
      ).status,
    ).toBe(404);
    expect(gh.validationFailures).toEqual([]);
  });
});

describe('the request log', () => {
  it('never holds a plaintext value written in this file', () => {
    expect(written.length).toBeGreaterThan(10);
    const log = JSON.stringify(gh.server.log);
    expect(log).toContain('encrypted_value');
    for (const value of written) expect(log).not.toContain(value);
  });
});
