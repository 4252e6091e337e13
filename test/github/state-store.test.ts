// The state store on workflow artifacts, with the real @actions/artifact
// client against the GitHub emulator.

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../../src/errors.ts';
import { GITHUB_RETRIES } from '../../src/github/octokit.ts';
import { type ArtifactStateStoreOptions, createArtifactStateStore } from '../../src/github/state-store.ts';
import type { StateStore } from '../../src/rotation/ports.ts';
import type { Phase, RotationState } from '../../src/rotation/state.ts';
import { GitHubEmulator } from '../emulators/github/index.ts';
import { actionOctokit } from '../support/action-octokit.ts';
import { stateDocument } from '../support/state-document.ts';
import { zipBomb } from '../support/zip-bomb.ts';

type ArtifactModule = typeof import('@actions/artifact');

let gh: GitHubEmulator;
let artifacts: ArtifactModule;
let stateToken: string;
let workDir: string;
const LIST_ROUTE = 'GET /repos/:owner/:repo/actions/artifacts';

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addRepo('octo', 'app');
  stateToken = gh.addToken({ repositories: ['octo/app'], permissions: { actions: 'read' } });
  // @actions/artifact (through @actions/github) reads GITHUB_API_URL when it is loaded.
  process.env.GITHUB_API_URL = gh.url;
  delete process.env.GITHUB_SERVER_URL;
  artifacts = await import('@actions/artifact');
  workDir = await mkdtemp(join(tmpdir(), 'state-store-test-'));
});

afterAll(async () => {
  await gh?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(gh.validationFailures).toEqual([]);
  // Every download and upload directory is removed once used.
  expect(await readdir(workDir)).toEqual([]);
});

function state(phase: Phase, runId: number): RotationState {
  return stateDocument('pkg-client-id', '2026-11-02T10:00:00.000Z', {
    phase,
    runId,
    rotation:
      phase === 'idle'
        ? null
        : {
            stagedFingerprint: '0123456789abcdef',
            previousFingerprint: 'fedcba9876543210',
            stagedAt: '2026-11-02T09:00:00.000Z',
            usableAt: '2026-11-02T09:05:00.000Z',
            expiresAt: '2027-05-01T09:00:00.000Z',
            escrowId: 'repo:octo/app name=SFMC_SECRET_STAGED',
            publishedTo: phase === 'staged' ? [] : ['repo:octo/app'],
            stagedByRun: runId,
          },
  });
}

/**
 * A store as a job of `runId` sees it (the runtime token is in the environment, as on a runner),
 * its Octokit built with `stateToken`.
 */
function storeInRun(
  artifactName: string,
  runId: number,
  {
    stateToken: token = stateToken,
    ...overrides
  }: Partial<ArtifactStateStoreOptions> & { stateToken?: string } = {},
): StateStore {
  Object.assign(process.env, gh.artifacts.runtimeEnv({ owner: 'octo', repo: 'app', runId }));
  return createArtifactStateStore({
    artifactName,
    retentionDays: 7,
    owner: 'octo',
    repo: 'app',
    octokit: actionOctokit(gh, token, { timeoutMs: overrides.timeoutMs }).octokit,
    artifactClient: new artifacts.DefaultArtifactClient(),
    workDir,
    log: { debug: () => {}, info: () => {}, warning: () => {} },
    sleep: async () => {},
    ...overrides,
  });
}

const zip = (files: Record<string, string>): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));

describe('save and load', () => {
  it('loads in a later run what an earlier run saved, and the artifact holds only state.json', async () => {
    const saved = state('staged', 10);
    const { artifactId } = await storeInRun('state-basic', 10).save(saved);
    expect(Object.keys(gh.artifacts.files(artifactId))).toEqual(['state.json']);
    expect(JSON.parse(gh.artifacts.files(artifactId)['state.json']?.toString() ?? '')).toEqual(saved);

    const loaded = await storeInRun('state-basic', 11).load();
    expect(loaded).toEqual({
      state: saved,
      // GitHub's created_at, in whole seconds.
      savedAt: new Date(
        Math.floor(
          (gh.artifacts
            .list('octo', 'app')
            .find((a) => a.id === artifactId)
            ?.createdAt.getTime() ?? 0) / 1000,
        ) * 1000,
      ),
    });
  });

  it('supersedes an earlier save of the same run', async () => {
    const store = storeInRun('state-twice', 20);
    const first = await store.save(state('staged', 20));
    const second = await store.save(state('published', 20));
    expect(second.artifactId).not.toBe(first.artifactId);
    expect(gh.artifacts.list('octo', 'app').filter((a) => a.name === 'state-twice')).toEqual([
      expect.objectContaining({ id: second.artifactId, runId: 20 }),
    ]);
    expect((await storeInRun('state-twice', 21).load()).state).toEqual(state('published', 20));
  });

  it("asks to delete nothing on a run's first save, and replaces the earlier artifact on the next", async () => {
    // @actions/artifact's deleteArtifact lists the run's artifacts by name, then deletes the one it finds.
    const deleteCalls = () => gh.server.log.filter((e) => /\/(List|Delete)Artifact/.test(e.path)).length;
    const before = deleteCalls();
    const store = storeInRun('state-first-save', 22);
    await store.save(state('staged', 22));
    expect(deleteCalls()).toBe(before);
    const second = await store.save(state('idle', 22));
    expect(deleteCalls()).toBe(before + 2);
    expect(gh.artifacts.list('octo', 'app').filter((a) => a.name === 'state-first-save')).toEqual([
      expect.objectContaining({ id: second.artifactId, runId: 22 }),
    ]);
  });

  it("replaces, on a re-run attempt's first save, the artifact an earlier attempt of the run saved", async () => {
    await storeInRun('state-attempts', 23).save(state('staged', 23));
    const retried = await storeInRun('state-attempts', 23, { runAttempt: 2 }).save(state('idle', 23));
    expect(gh.artifacts.list('octo', 'app').filter((a) => a.name === 'state-attempts')).toEqual([
      expect.objectContaining({ id: retried.artifactId, runId: 23 }),
    ]);
  });

  it("withdraws a run's save: the newest state is again the one another run saved before it", async () => {
    await storeInRun('state-withdraw', 40).save(state('staged', 40));
    // Run 41's upload lands after run 40's, so it would be the newest.
    const late = storeInRun('state-withdraw', 41);
    await late.save(state('idle', 41));
    expect((await storeInRun('state-withdraw', 42).load()).state).toEqual(state('idle', 41));
    // Back in run 41's job (the runtime token names the run), as when it withdraws its save.
    Object.assign(process.env, gh.artifacts.runtimeEnv({ owner: 'octo', repo: 'app', runId: 41 }));
    await late.withdraw();
    expect(gh.artifacts.list('octo', 'app').filter((a) => a.name === 'state-withdraw')).toEqual([
      expect.objectContaining({ runId: 40 }),
    ]);
    expect((await storeInRun('state-withdraw', 42).load()).state).toEqual(state('staged', 40));
  });

  it("loads the newest run's state", async () => {
    await storeInRun('state-newest', 30).save(state('staged', 30));
    await storeInRun('state-newest', 31).save(state('published', 31));
    await storeInRun('state-other-name', 32).save(state('idle', 32));
    expect((await storeInRun('state-newest', 33).load()).state).toEqual(state('published', 31));
  });

  it('writes only the fields of the state schema', async () => {
    const leaky = { ...state('staged', 40), clientSecret: 'must-not-be-written' } as RotationState;
    const { artifactId } = await storeInRun('state-strict', 40).save(leaky);
    const text = gh.artifacts.files(artifactId)['state.json']?.toString() ?? '';
    expect(text).not.toContain('must-not-be-written');
    expect(JSON.parse(text)).toEqual(state('staged', 40));
  });
});

describe('load without usable state', () => {
  it('notes that there is none', async () => {
    expect(await storeInRun('state-none', 50).load()).toEqual({ note: 'no state artifact found' });
  });

  it('skips expired artifacts, and notes when only expired ones remain', async () => {
    await storeInRun('state-expiry', 60).save(state('staged', 60));
    const newer = await storeInRun('state-expiry', 61).save(state('published', 61));
    gh.artifacts.expire(newer.artifactId);
    expect((await storeInRun('state-expiry', 62).load()).state).toEqual(state('staged', 60));

    for (const a of gh.artifacts.list('octo', 'app').filter((x) => x.name === 'state-expiry')) {
      gh.artifacts.expire(a.id);
    }
    const loaded = await storeInRun('state-expiry', 63).load();
    expect(loaded.state).toBeUndefined();
    expect(loaded.note).toMatch(/expired/);
  });

  it.each([
    ['bytes that are not JSON', { 'state.json': '{"schemaVersion":1,\u0000\u00ff garbage' }, /not JSON/],
    [
      'a document of another schema',
      { 'state.json': JSON.stringify({ schemaVersion: 2 }) },
      /invalid: .*schemaVersion/,
    ],
    ['no state.json', { 'other.txt': 'hello' }, /holds no state\.json/],
  ])('notes an artifact holding %s, without throwing', async (_what, files, note) => {
    const name = `state-bad-${Object.keys(files)[0]}-${String(note).length}`;
    const { artifactId } = await storeInRun(name, 70).save(state('staged', 70));
    gh.artifacts.corrupt(artifactId, zip(files));
    const loaded = await storeInRun(name, 71).load();
    expect(loaded.state).toBeUndefined();
    expect(loaded.note).toMatch(note);
    expect(loaded.note).toContain(String(artifactId));
  });
});

describe('listing', () => {
  it('retries GitHub server errors', async () => {
    await storeInRun('state-flaky', 80).save(state('staged', 80));
    gh.server.faults.inject({ route: LIST_ROUTE, mode: { kind: 'status', status: 502 }, times: 2 });
    expect((await storeInRun('state-flaky', 81).load()).state).toEqual(state('staged', 80));
    expect(gh.server.faults.injected.get(LIST_ROUTE)).toBe(2);
  });

  it.each([
    ['without actions permission', { repositories: ['octo/app'], permissions: { metadata: 'read' } }, 403],
    [
      'without access to the repository',
      { repositories: ['octo/elsewhere'], permissions: { actions: 'read' } },
      404,
    ],
  ] as const)('names the state-token input when the token is %s', async (_what, grant, status) => {
    const token = gh.addToken({ ...grant, repositories: [...grant.repositories] });
    const load = storeInRun('state-denied', 90, { stateToken: token }).load();
    await expect(load).rejects.toBeInstanceOf(DestinationError);
    await expect(load).rejects.toMatchObject({
      subject: 'state-token',
      message: expect.stringMatching(new RegExp(`HTTP ${status}.*state-token input needs "actions: read"`)),
    });
  });
});

/** A run of another origin (a fork's pull request by default) plants `bytes` under `name`. */
function plant(
  name: string,
  bytes: Buffer,
  origin: { runId: number; event?: string; fork?: boolean },
): number {
  return gh.plantArtifact({
    owner: 'octo',
    repo: 'app',
    runId: origin.runId,
    name,
    bytes,
    event: origin.event ?? 'pull_request',
    ...(origin.fork === false ? {} : { headRepository: 'mallory/app' }),
  });
}

const stateZip = (document: RotationState): Buffer => zip({ 'state.json': JSON.stringify(document) });
const requestsTo = (pattern: RegExp) => gh.server.log.filter((e) => pattern.test(e.path));

describe('provenance', () => {
  beforeAll(() => {
    gh.addRepo('mallory', 'app', { private: false });
  });

  it.each<[string, { runId: number; event: string; fork?: boolean }, RegExp]>([
    [
      "a fork's pull_request run",
      { runId: 1100, event: 'pull_request' },
      /ran code from another repository \(a fork/,
    ],
    ["a fork's push run (head repository elsewhere)", { runId: 1110, event: 'push' }, /a fork/],
    [
      'a same-repository pull_request run',
      { runId: 1120, event: 'pull_request', fork: false },
      /triggered by `pull_request`/,
    ],
    [
      'a pull_request_target run',
      { runId: 1130, event: 'pull_request_target', fork: false },
      /`pull_request_target`/,
    ],
    [
      'a pull_request_review run',
      { runId: 1140, event: 'pull_request_review', fork: false },
      /`pull_request_review`/,
    ],
  ])(
    'ignores a newer artifact made by %s, names it, and loads the trusted one',
    async (_what, origin, reason) => {
      const name = `state-forged-${origin.runId}`;
      const { runId } = origin;
      await storeInRun(name, runId).save(state('staged', runId));
      const forged = plant(name, stateZip(state('published', runId + 1)), { ...origin, runId: runId + 1 });
      const warnings: string[] = [];
      const loaded = await storeInRun(name, runId + 2, {
        log: { debug: () => {}, info: () => {}, warning: (m) => warnings.push(m) },
      }).load();
      expect(loaded.state).toEqual(state('staged', runId));
      expect(loaded.note).toMatch(new RegExp(`ignored state artifact ${forged} .*`));
      expect(loaded.note).toMatch(reason);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`${forged}.*${reason.source}`))]);
      // The forged artifact was never downloaded.
      expect(requestsTo(new RegExp(`/artifacts/${forged}/zip`))).toEqual([]);
    },
  );

  it('asks about runs only for candidates, newest first, and stops at the first trusted one', async () => {
    await storeInRun('state-lookups', 1300).save(state('idle', 1300));
    await storeInRun('state-lookups', 1301).save(state('staged', 1301));
    plant('state-lookups', stateZip(state('published', 1302)), { runId: 1302 });
    plant('state-lookups', stateZip(state('published', 1303)), { runId: 1303, fork: false });
    const before = gh.server.log.length;
    expect((await storeInRun('state-lookups', 1304).load()).state).toEqual(state('staged', 1301));
    const runs = gh.server.log
      .slice(before)
      .filter((e) => e.route === 'GET /repos/:owner/:repo/actions/runs/:run_id')
      .map((e) => e.path);
    // 1302 is a fork's (the list says so); 1303 needs its run; 1301 is trusted; 1300 is never asked about.
    expect(runs).toEqual(['/repos/octo/app/actions/runs/1303', '/repos/octo/app/actions/runs/1301']);
  });

  it('notes when every artifact is untrusted, and loads no state', async () => {
    const forged = plant('state-only-forged', stateZip(state('published', 1400)), { runId: 1400 });
    const loaded = await storeInRun('state-only-forged', 1401).load();
    expect(loaded.state).toBeUndefined();
    expect(loaded.note).toMatch(new RegExp(`no trusted state artifact found.*${forged}`));
  });
});

describe('bounded reading', () => {
  it('skips an artifact over 1 MiB unread', async () => {
    await storeInRun('state-big', 1500).save(state('staged', 1500));
    const big = plant('state-big', randomBytes(1024 * 1024 + 1), { runId: 1501, fork: false, event: 'push' });
    const loaded = await storeInRun('state-big', 1502).load();
    expect(loaded.state).toEqual(state('staged', 1500));
    expect(loaded.note).toMatch(new RegExp(`${big} .*1048577 bytes, over the 1 MiB cap`));
    expect(requestsTo(new RegExp(`/artifacts/${big}/zip`))).toEqual([]);
  });

  it('stops inflating a zip bomb at the cap, with memory bounded, and loads the older state', async () => {
    await storeInRun('state-bomb', 1600).save(state('staged', 1600));
    // About 530 KB of zip that inflates to 512 MiB (deflate of zeros).
    const bomb = zipBomb(512);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const id = plant('state-bomb', bomb, { runId: 1601, fork: false, event: 'push' });
    const rssBefore = process.memoryUsage().rss;
    const loaded = await storeInRun('state-bomb', 1602).load();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(loaded.state).toEqual(state('staged', 1600));
    expect(loaded.note).toMatch(new RegExp(`${id} .*state\\.json inflates past the 1048576-byte cap`));
  });

  it('refuses a download longer than the list said, at the cap', async () => {
    await storeInRun('state-liar', 1700).save(state('staged', 1700));
    const id = plant('state-liar', stateZip(state('published', 1701)), {
      runId: 1701,
      fork: false,
      event: 'push',
    });
    gh.artifacts.corrupt(id, randomBytes(2 * 1024 * 1024));
    const loaded = await storeInRun('state-liar', 1702).load();
    expect(loaded.state).toEqual(state('staged', 1700));
    expect(loaded.note).toMatch(new RegExp(`${id} .*over the 1048576-byte cap`));
  });
});

const ARCHIVE_ROUTE = 'GET /repos/:owner/:repo/actions/artifacts/:artifact_id/:archive_format';
const STORAGE_ROUTE = 'GET /artifactstore/actions-results/*';

/** Holds the next `times` calls of `route` until the returned function releases them (and clears the fault). */
function hold(route: string | RegExp, times: number): () => void {
  let release = () => {};
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fault = gh.server.faults.inject({ route, mode: { kind: 'hold', until }, times });
  return () => {
    release();
    fault.clear();
  };
}

describe('download', () => {
  it("asks GitHub for the archive with the state token, and fetches storage's signed URL without it", async () => {
    const { artifactId } = await storeInRun('state-hops', 2000).save(state('staged', 2000));
    const before = gh.server.log.length;
    expect((await storeInRun('state-hops', 2001).load()).state).toEqual(state('staged', 2000));
    const hops = gh.server.log.slice(before).filter((e) => [ARCHIVE_ROUTE, STORAGE_ROUTE].includes(e.route));
    expect(hops).toEqual([
      expect.objectContaining({
        path: `/repos/octo/app/actions/artifacts/${artifactId}/zip`,
        status: 302,
        authorization: '[REDACTED]',
      }),
      expect.objectContaining({ route: STORAGE_ROUTE, status: 200, authorization: undefined }),
    ]);
  });

  it("retries GitHub's server errors on the archive link", async () => {
    await storeInRun('state-flaky-link', 2010).save(state('staged', 2010));
    const before = gh.server.faults.injected.get(ARCHIVE_ROUTE) ?? 0;
    gh.server.faults.inject({ route: ARCHIVE_ROUTE, mode: { kind: 'status', status: 502 }, times: 2 });
    expect((await storeInRun('state-flaky-link', 2011).load()).state).toEqual(state('staged', 2010));
    expect(gh.server.faults.injected.get(ARCHIVE_ROUTE)).toBe(before + 2);
  });

  it('retries storage server errors, asking GitHub for a fresh link each time', async () => {
    await storeInRun('state-flaky-storage', 2020).save(state('staged', 2020));
    const before = gh.server.log.length;
    gh.server.faults.inject({ route: STORAGE_ROUTE, mode: { kind: 'status', status: 503 }, times: 2 });
    expect((await storeInRun('state-flaky-storage', 2021).load()).state).toEqual(state('staged', 2020));
    const routes = gh.server.log.slice(before).map((e) => e.route);
    expect(routes.filter((r) => r === ARCHIVE_ROUTE)).toHaveLength(3);
    expect(routes.filter((r) => r === STORAGE_ROUTE)).toHaveLength(3);
  });

  it('takes a storage refusal as final: notes it and loads no older state', async () => {
    await storeInRun('state-storage-refuses', 2030).save(state('idle', 2030));
    const { artifactId } = await storeInRun('state-storage-refuses', 2031).save(state('staged', 2031));
    const before = gh.server.log.length;
    gh.server.faults.inject({ route: STORAGE_ROUTE, mode: { kind: 'status', status: 403 }, times: 1 });
    const loaded = await storeInRun('state-storage-refuses', 2032).load();
    expect(loaded).toEqual({
      note: `state artifact ${artifactId} (run 2031) could not be downloaded: storage answered HTTP 403`,
    });
    expect(gh.server.log.slice(before).filter((e) => e.route === STORAGE_ROUTE)).toHaveLength(1);
  });

  it('gives up on an archive link that never comes after the per-attempt limit and its retries', async () => {
    const { artifactId } = await storeInRun('state-stalled-link', 2040).save(state('staged', 2040));
    const attempts = GITHUB_RETRIES + 1;
    const before = gh.server.faults.injected.get(ARCHIVE_ROUTE) ?? 0;
    const release = hold(ARCHIVE_ROUTE, attempts);
    try {
      const loaded = await storeInRun('state-stalled-link', 2041, { timeoutMs: 50 }).load();
      expect(loaded.note).toMatch(
        new RegExp(
          `${artifactId} .*could not be downloaded: GitHub gave no link to its archive: .*aborted due to timeout`,
          'i',
        ),
      );
      expect(gh.server.faults.injected.get(ARCHIVE_ROUTE)).toBe(before + attempts);
    } finally {
      release();
    }
  });

  it('gives up on storage that never answers after the per-attempt limit and the retry policy', async () => {
    const { artifactId } = await storeInRun('state-stalled-storage', 2050).save(state('staged', 2050));
    const policy = { attempts: 3, baseMs: 1, maxMs: 1, maxRetryAfterMs: 1 };
    const before = gh.server.faults.injected.get(STORAGE_ROUTE) ?? 0;
    const release = hold(STORAGE_ROUTE, policy.attempts);
    try {
      const loaded = await storeInRun('state-stalled-storage', 2051, { timeoutMs: 50, policy }).load();
      expect(loaded.note).toMatch(
        new RegExp(
          `${artifactId} .*could not be downloaded: storage did not answer .*aborted due to timeout`,
          'i',
        ),
      );
      expect(gh.server.faults.injected.get(STORAGE_ROUTE)).toBe(before + policy.attempts);
    } finally {
      release();
    }
  });
});

describe('stalled GitHub', () => {
  it('gives up on a list that never answers after the per-attempt limit and its retries', async () => {
    const attempts = GITHUB_RETRIES + 1;
    const before = gh.server.faults.injected.get(LIST_ROUTE) ?? 0;
    const release = hold(LIST_ROUTE, attempts);
    try {
      const load = storeInRun('state-stalled', 1800, { timeoutMs: 50 }).load();
      await expect(load).rejects.toThrow(
        /Reading the state artifact list of octo\/app failed: .*aborted due to timeout/i,
      );
      expect(gh.server.faults.injected.get(LIST_ROUTE)).toBe(before + attempts);
    } finally {
      release();
    }
  });

  it('reports a save whose artifact service never answers as failed, after its deadline', async () => {
    const release = hold(/ArtifactService/, 1);
    try {
      const save = storeInRun('state-stalled-save', 1900, { timeoutMs: 50 }).save(state('staged', 1900));
      await expect(save).rejects.toMatchObject({
        subject: 'state artifact',
        message: expect.stringMatching(
          /did not finish within 0.2 s; GitHub's artifact service did not answer/,
        ),
      });
    } finally {
      release();
    }
  });
});
