// The artifact service on its own server, with a trivial repository check:
// the wire details @actions/artifact relies on (Twirp, signed block-blob
// URLs, block-list order) and the REST endpoints' rules.
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, EmulatorServer, HttpError } from './common/server.ts';
import { ArtifactService } from './github/artifacts/service.ts';
import { githubError } from './github/errors.ts';

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService';
const TOKENS: Record<string, 'read' | 'write'> = { reader: 'read', writer: 'write' };

const server = new EmulatorServer();
const service = new ArtifactService(
  {
    authorize(ctx, owner, repo, access) {
      const held = TOKENS[bearer(ctx.headers) ?? ''];
      if (!held) throw new HttpError(githubError(401, 'Bad credentials'));
      if (owner !== 'octo' || repo !== 'app') throw new HttpError(githubError(404, 'Not Found'));
      if (access === 'write' && held !== 'write') {
        throw new HttpError(githubError(403, 'Resource not accessible by integration'));
      }
      return { repoId: 42, owner, repo };
    },
    run: (_owner, _repo, runId) => ({
      repoId: 42,
      headRepoId: 42,
      headBranch: 'main',
      headSha: createHash('sha1').update(`run ${runId}`).digest('hex'),
    }),
  },
  () => server.url,
);
server.addRoutes([...service.restRoutes(), ...service.serviceRoutes()]);

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

const run = (runId: number, jobId?: number) =>
  service.runtimeEnv({ owner: 'octo', repo: 'app', runId, jobId });

function backendIds(token: string): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  const [, runId, jobId] = /Actions\.Results:([^:\s]+):([^:\s]+)/.exec(claims.scp) ?? [];
  return { workflow_run_backend_id: runId ?? '', workflow_job_run_backend_id: jobId ?? '' };
}

async function twirp(method: string, token: string | undefined, body: unknown) {
  const response = await fetch(`${server.url}${TWIRP}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function rest(path: string, token = 'reader', init: RequestInit = {}) {
  return fetch(`${server.url}/repos/octo/app/actions${path}`, {
    redirect: 'manual',
    ...init,
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
  });
}

const blockUrl = (url: string, id: string) => `${url}&comp=block&blockid=${encodeURIComponent(id)}`;
const blockList = (ids: string[]) =>
  `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;

/** Upload a zip by hand the way @azure/storage-blob does, staging blocks out of order. */
async function uploadByHand(runtimeToken: string, name: string, content: Buffer): Promise<number> {
  const ids = backendIds(runtimeToken);
  const created = await twirp('CreateArtifact', runtimeToken, {
    ...ids,
    name,
    version: 7,
    mime_type: 'application/zip',
  });
  expect(created).toMatchObject({ status: 200, body: { ok: true } });
  const url = String(created.body.signed_upload_url);
  const zip = Buffer.from(zipSync({ 'data.bin': content }));
  const third = Math.ceil(zip.length / 3);
  // Base64 ids with '+', '/' and '=' survive the query string.
  const blocks = ['AAA+', 'BBB/', 'CC=='].map((id, i) => ({
    id,
    bytes: zip.subarray(i * third, (i + 1) * third),
  }));
  for (const block of [...blocks].reverse()) {
    const put = await fetch(blockUrl(url, block.id), { method: 'PUT', body: block.bytes });
    expect(put.status).toBe(201);
  }
  const commit = await fetch(`${url}&comp=blocklist`, {
    method: 'PUT',
    headers: { 'x-ms-blob-content-type': 'application/zip' },
    body: blockList(blocks.map((b) => b.id)),
  });
  expect(commit.status).toBe(201);
  const finalized = await twirp('FinalizeArtifact', runtimeToken, {
    ...ids,
    name,
    size: String(zip.length),
    hash: `sha256:${createHash('sha256').update(zip).digest('hex')}`,
  });
  expect(finalized).toMatchObject({ status: 200, body: { ok: true } });
  return Number(finalized.body.artifact_id);
}

describe('blob storage', () => {
  it('assembles staged blocks in block-list order and serves them on a signed GET', async () => {
    const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(20));
    const { ACTIONS_RUNTIME_TOKEN } = run(101);
    const id = await uploadByHand(ACTIONS_RUNTIME_TOKEN, 'blocks', content);
    expect(service.files(id)).toEqual({ 'data.bin': content });

    const signed = await twirp('GetSignedArtifactURL', ACTIONS_RUNTIME_TOKEN, {
      ...backendIds(ACTIONS_RUNTIME_TOKEN),
      name: 'blocks',
    });
    const url = new URL(String(signed.body.signed_url));
    expect(url.pathname).toMatch(/^\/artifactstore\/actions-results\/[^/]+\/.+/);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toContain('filename=blocks.zip');
    expect(Buffer.from(await download.arrayBuffer())).toHaveLength(
      service.list('octo', 'app').find((a) => a.id === id)?.size ?? -1,
    );
  });

  it('rejects a tampered signature, a read-only URL used for writing, and writes after finalize', async () => {
    const { ACTIONS_RUNTIME_TOKEN } = run(102);
    const ids = backendIds(ACTIONS_RUNTIME_TOKEN);
    const created = await twirp('CreateArtifact', ACTIONS_RUNTIME_TOKEN, {
      ...ids,
      name: 'guarded',
      version: 7,
    });
    const url = String(created.body.signed_upload_url);
    const tampered = url.replace(/sig=[^&]+/, 'sig=AAAA');
    const forged = await fetch(blockUrl(tampered, 'AAAA'), { method: 'PUT', body: 'x' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>AuthenticationFailed</Code>');

    await uploadByHand(run(103).ACTIONS_RUNTIME_TOKEN, 'guarded', Buffer.from('x'));
    const signed = await twirp('GetSignedArtifactURL', run(103).ACTIONS_RUNTIME_TOKEN, {
      ...backendIds(run(103).ACTIONS_RUNTIME_TOKEN),
      name: 'guarded',
    });
    const readOnly = await fetch(blockUrl(String(signed.body.signed_url), 'AAAA'), {
      method: 'PUT',
      body: 'x',
    });
    expect(readOnly.status).toBe(403);

    const staged = await fetch(blockUrl(url, 'AAAA'), { method: 'PUT', body: 'x' });
    expect(staged.status).toBe(201);
    const missing = await fetch(`${url}&comp=blocklist`, {
      method: 'PUT',
      body: blockList(['AAAA', 'BBBB']),
    });
    expect(missing.status).toBe(400);
  });

  it('refuses a finalize whose hash does not match the committed bytes', async () => {
    const { ACTIONS_RUNTIME_TOKEN } = run(104);
    const ids = backendIds(ACTIONS_RUNTIME_TOKEN);
    const created = await twirp('CreateArtifact', ACTIONS_RUNTIME_TOKEN, {
      ...ids,
      name: 'hashed',
      version: 7,
    });
    const url = String(created.body.signed_upload_url);
    await fetch(blockUrl(url, 'AAAA'), { method: 'PUT', body: 'abc' });
    await fetch(`${url}&comp=blocklist`, { method: 'PUT', body: blockList(['AAAA']) });
    const finalized = await twirp('FinalizeArtifact', ACTIONS_RUNTIME_TOKEN, {
      ...ids,
      name: 'hashed',
      size: '3',
      hash: `sha256:${'0'.repeat(64)}`,
    });
    expect(finalized).toEqual({ status: 400, body: { code: 'invalid_argument', msg: expect.any(String) } });
  });
});

describe('Twirp', () => {
  it('requires a runtime token for the run named in the request', async () => {
    const mine = run(201).ACTIONS_RUNTIME_TOKEN;
    const other = backendIds(run(202).ACTIONS_RUNTIME_TOKEN);
    expect(await twirp('ListArtifacts', undefined, other)).toMatchObject({
      status: 401,
      body: { code: 'unauthenticated' },
    });
    expect(await twirp('ListArtifacts', mine, other)).toMatchObject({
      status: 403,
      body: { code: 'permission_denied' },
    });
    expect(await twirp('Nope', mine, backendIds(mine))).toMatchObject({
      status: 404,
      body: { code: 'bad_route' },
    });
    expect(await twirp('CreateArtifact', mine, { ...backendIds(mine) })).toMatchObject({
      status: 400,
      body: { code: 'invalid_argument' },
    });
  });

  it("lists a run's artifacts with filters, 409s a duplicate name, and deletes by name", async () => {
    const token = run(203).ACTIONS_RUNTIME_TOKEN;
    const ids = backendIds(token);
    const first = await uploadByHand(token, 'one', Buffer.from('1'));
    await uploadByHand(run(203, 2).ACTIONS_RUNTIME_TOKEN, 'two', Buffer.from('2'));

    const all = await twirp('ListArtifacts', token, ids);
    expect((all.body.artifacts as Array<{ name: string }>).map((a) => a.name).sort()).toEqual(['one', 'two']);
    const byId = await twirp('ListArtifacts', token, { ...ids, id_filter: String(first) });
    expect(byId.body.artifacts).toEqual([
      {
        workflow_run_backend_id: ids.workflow_run_backend_id,
        workflow_job_run_backend_id: ids.workflow_job_run_backend_id,
        database_id: String(first),
        name: 'one',
        size: expect.stringMatching(/^\d+$/),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    ]);

    const duplicate = await twirp('CreateArtifact', token, { ...ids, name: 'two', version: 7 });
    expect(duplicate).toEqual({ status: 409, body: { code: 'already_exists', msg: expect.any(String) } });

    const deleted = await twirp('DeleteArtifact', token, { ...ids, name: 'two' });
    expect(deleted.body).toMatchObject({ ok: true });
    expect((await twirp('CreateArtifact', token, { ...ids, name: 'two', version: 7 })).status).toBe(200);
    expect((await twirp('DeleteArtifact', token, { ...ids, name: 'absent' })).status).toBe(404);
  });
});

describe('REST', () => {
  it('serves the zip as exactly one 302 to a signed URL, and 410 once expired', async () => {
    const id = await uploadByHand(run(301).ACTIONS_RUNTIME_TOKEN, 'zipped', Buffer.from('zip me'));
    const redirect = await rest(`/artifacts/${id}/zip`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(/[?&]sig=[^&]+/);
    expect((await fetch(location)).status).toBe(200);
    expect((await rest(`/artifacts/${id}/tar`)).status).toBe(404);

    service.expire(id);
    const gone = await rest(`/artifacts/${id}/zip`);
    expect(gone.status).toBe(410);
    expect((await fetch(location)).status).toBe(404);
    const listed = (await (await rest(`/artifacts/${id}`)).json()) as { expired: boolean };
    expect(listed.expired).toBe(true);
  });

  it('deletes with write access only, then the artifact is gone', async () => {
    const id = await uploadByHand(run(302).ACTIONS_RUNTIME_TOKEN, 'doomed', Buffer.from('bye'));
    expect((await rest(`/artifacts/${id}`, 'reader', { method: 'DELETE' })).status).toBe(403);
    expect((await rest(`/artifacts/${id}`, 'writer', { method: 'DELETE' })).status).toBe(204);
    expect((await rest(`/artifacts/${id}`)).status).toBe(404);
    expect((await rest(`/artifacts/${id}`, 'nobody')).status).toBe(401);
  });

  it("pages a run's artifacts, newest first unless asked otherwise", async () => {
    const token = run(303).ACTIONS_RUNTIME_TOKEN;
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) ids.push(await uploadByHand(token, name, Buffer.from(name)));
    const page = async (query: string) =>
      (await (await rest(`/runs/303/artifacts${query}`)).json()) as {
        total_count: number;
        artifacts: Array<{ id: number }>;
      };
    const first = await page('?per_page=2');
    expect(first.total_count).toBe(3);
    expect(first.artifacts.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    expect((await page('?per_page=2&page=2')).artifacts.map((a) => a.id)).toEqual([ids[0]]);
    expect((await page('?direction=asc')).artifacts.map((a) => a.id)).toEqual(ids);
    expect((await page('?name=b')).artifacts.map((a) => a.id)).toEqual([ids[1]]);
  });
});
