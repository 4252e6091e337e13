// Artifacts in the GitHub emulator, driven by the real @actions/artifact
// client and by REST calls checked against GitHub's OpenAPI description.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubEmulator } from './github/index.ts';
import { failure, githubClient } from './github/testing.ts';

let gh: GitHubEmulator;
let client: ArtifactClient;
let dir: string;
let reader: string;
let writer: string;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addRepo('octo', 'app');
  reader = gh.addToken({ repositories: ['octo/app'], permissions: { actions: 'read' } });
  writer = gh.addToken({ repositories: ['octo/app'], permissions: { actions: 'write' } });
  // @actions/artifact (through @actions/github) reads GITHUB_API_URL when it is loaded.
  process.env.GITHUB_API_URL = gh.url;
  delete process.env.GITHUB_SERVER_URL;
  const { DefaultArtifactClient } = await import('@actions/artifact');
  client = new DefaultArtifactClient();
  dir = await mkdtemp(join(tmpdir(), 'artifacts-test-'));
});

afterAll(async () => {
  await gh?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(gh.validationFailures).toEqual([]);
});

/** Make the following client calls run as a job of this workflow run. */
function inRun(runId: number): void {
  Object.assign(process.env, gh.artifacts.runtimeEnv({ owner: 'octo', repo: 'app', runId }));
}

async function writeFiles(files: Record<string, Buffer>): Promise<{ root: string; paths: string[] }> {
  const root = await mkdtemp(join(dir, 'upload-'));
  const paths: string[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, bytes);
    paths.push(path);
  }
  return { root, paths };
}

async function readBack(root: string, names: string[]): Promise<Record<string, Buffer>> {
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(root, n))])));
}

/** File digests: comparing megabytes byte by byte in expect() is slow. */
function digests(files: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]),
  );
}

async function upload(runId: number, name: string, text = name): Promise<number> {
  inRun(runId);
  const { root, paths } = await writeFiles({ 'content.txt': Buffer.from(text) });
  const { id } = await client.uploadArtifact(name, paths, root);
  if (id === undefined) throw new Error('no artifact id');
  return id;
}

describe('@actions/artifact against the emulator', () => {
  it('uploads, lists, gets, downloads in the run and from another run, and deletes', async () => {
    // Over one 8 MB block, so the SDK stages blocks in parallel and the list order matters.
    const files = {
      'state.json': Buffer.from('{"phase":"staged"}'),
      'nested/big.bin': randomBytes(8 * 1024 * 1024 + 4096),
    };
    const { root, paths } = await writeFiles(files);
    inRun(1001);
    const uploaded = await client.uploadArtifact('round-trip', paths, root, { retentionDays: 5 });
    expect(uploaded.id).toBeTypeOf('number');
    const id = uploaded.id as number;
    expect(gh.server.log.filter((e) => /[?&]comp=block&/.test(e.path))).toHaveLength(2);
    expect(digests(gh.artifacts.files(id))).toEqual(digests(files));
    const [listed] = gh.artifacts.list('octo', 'app');
    expect(listed).toMatchObject({
      id,
      name: 'round-trip',
      runId: 1001,
      size: uploaded.size,
      expired: false,
    });
    const retention = (listed?.expiresAt.getTime() ?? 0) - (listed?.createdAt.getTime() ?? 0);
    expect(retention / 86_400_000).toBeCloseTo(5, 1);

    expect((await client.listArtifacts()).artifacts.map((a) => a.id)).toEqual([id]);
    expect((await client.getArtifact('round-trip')).artifact).toMatchObject({ id, size: uploaded.size });
    const sameRun = join(dir, 'same-run');
    expect(await client.downloadArtifact(id, { path: sameRun })).toMatchObject({ digestMismatch: false });
    expect(digests(await readBack(sameRun, Object.keys(files)))).toEqual(digests(files));

    inRun(1002);
    const findBy = { token: reader, workflowRunId: 1001, repositoryOwner: 'octo', repositoryName: 'app' };
    expect((await client.listArtifacts({ findBy })).artifacts.map((a) => a.id)).toEqual([id]);
    expect((await client.getArtifact('round-trip', { findBy })).artifact.id).toBe(id);
    const otherRun = join(dir, 'other-run');
    expect(await client.downloadArtifact(id, { path: otherRun, findBy })).toMatchObject({
      digestMismatch: false,
    });
    expect(digests(await readBack(otherRun, Object.keys(files)))).toEqual(digests(files));
    // The other run has no artifacts of its own.
    expect((await client.listArtifacts()).artifacts).toEqual([]);

    expect(await client.deleteArtifact('round-trip', { findBy: { ...findBy, token: writer } })).toEqual({
      id,
    });
    expect(gh.artifacts.list('octo', 'app')).toEqual([]);
    await expect(client.getArtifact('round-trip', { findBy })).rejects.toThrow(/not found/i);
  });

  it('refuses a second artifact of one name in one run until the first is deleted', async () => {
    const first = await upload(1101, 'once');
    await expect(upload(1101, 'once')).rejects.toThrow(/409/);
    // Another run may use the name.
    const elsewhere = await upload(1102, 'once');

    inRun(1101);
    expect(await client.deleteArtifact('once')).toEqual({ id: first });
    const second = await upload(1101, 'once', 'second');
    expect(gh.artifacts.files(second)).toEqual({ 'content.txt': Buffer.from('second') });
    expect(
      gh.artifacts
        .list('octo', 'app')
        .filter((a) => a.name === 'once')
        .map((a) => a.id),
    ).toEqual([second, elsewhere]);
  });
});

describe('REST artifacts', () => {
  it('lists a name across runs newest first, with expired, created_at and workflow_run', async () => {
    const ids = [await upload(1201, 'shared'), await upload(1202, 'shared'), await upload(1203, 'shared')];
    await upload(1202, 'unrelated');
    gh.artifacts.expire(ids[0] as number);

    const octokit = githubClient(gh, reader);
    const { data } = await octokit.rest.actions.listArtifactsForRepo({
      owner: 'octo',
      repo: 'app',
      name: 'shared',
    });
    expect(data.total_count).toBe(3);
    expect(data.artifacts.map((a) => [a.id, a.workflow_run?.id, a.expired])).toEqual([
      [ids[2], 1203, false],
      [ids[1], 1202, false],
      [ids[0], 1201, true],
    ]);
    const times = data.artifacts.map((a) => Date.parse(a.created_at ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const run = await octokit.rest.actions.listWorkflowRunArtifacts({
      owner: 'octo',
      repo: 'app',
      run_id: 1202,
    });
    expect(run.data.artifacts.map((a) => a.name).sort()).toEqual(['shared', 'unrelated']);
    const one = await octokit.rest.actions.getArtifact({
      owner: 'octo',
      repo: 'app',
      artifact_id: ids[1] as number,
    });
    expect(one.data).toMatchObject({ id: ids[1], name: 'shared', expired: false });
  });

  it('answers the zip download with exactly a 302 to a signed URL, and 410 once expired', async () => {
    const id = await upload(1301, 'zipped', 'zip content');
    const response = await fetch(`${gh.url}/repos/octo/app/actions/artifacts/${id}/zip`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    const blob = await fetch(location);
    expect(blob.status).toBe(200);
    expect(unzipSync(new Uint8Array(await blob.arrayBuffer()))).toEqual({
      'content.txt': new Uint8Array(Buffer.from('zip content')),
    });

    gh.artifacts.expire(id);
    const octokit = githubClient(gh, reader);
    const gone = await failure(
      octokit.rest.actions.downloadArtifact({
        owner: 'octo',
        repo: 'app',
        artifact_id: id,
        archive_format: 'zip',
      }),
    );
    expect(gone.status).toBe(410);
  });

  it("plants a fork's pull_request artifact of any name and bytes; the list shows its head repository", async () => {
    const fork = gh.addRepo('mallory', 'app', { private: false });
    const bytes = randomBytes(3000);
    const id = gh.plantArtifact({
      owner: 'octo',
      repo: 'app',
      runId: 9301,
      name: 'planted-by-fork',
      bytes,
      event: 'pull_request',
      headRepository: 'mallory/app',
      headBranch: 'main',
    });
    const octokit = githubClient(gh, reader);
    const listed = await octokit.rest.actions.listArtifactsForRepo({
      owner: 'octo',
      repo: 'app',
      name: 'planted-by-fork',
    });
    const repoId = (await octokit.rest.actions.getWorkflowRun({ owner: 'octo', repo: 'app', run_id: 9301 }))
      .data.repository.id;
    expect(listed.data.artifacts).toEqual([
      expect.objectContaining({
        id,
        size_in_bytes: 3000,
        expired: false,
        workflow_run: expect.objectContaining({
          id: 9301,
          repository_id: repoId,
          head_repository_id: fork.id,
          head_branch: 'main',
        }),
      }),
    ]);
    // The download serves the planted bytes as they are.
    const redirect = await fetch(`${gh.url}/repos/octo/app/actions/artifacts/${id}/zip`, {
      headers: { authorization: `Bearer ${reader}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const blob = await fetch(redirect.headers.get('location') ?? '');
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(bytes);
  });

  it('needs actions permission: read to list, write to delete', async () => {
    const id = await upload(1401, 'guarded');
    const none = gh.addToken({ repositories: ['octo/app'], permissions: { metadata: 'read' } });
    const list = { owner: 'octo', repo: 'app', name: 'guarded' };
    expect((await failure(githubClient(gh, none).rest.actions.listArtifactsForRepo(list))).status).toBe(403);
    const remove = { owner: 'octo', repo: 'app', artifact_id: id };
    expect((await failure(githubClient(gh, reader).rest.actions.deleteArtifact(remove))).status).toBe(403);
    expect((await githubClient(gh, writer).rest.actions.deleteArtifact(remove)).status).toBe(204);
    expect((await failure(githubClient(gh, reader).rest.actions.getArtifact(remove))).status).toBe(404);
  });
});
