// The state store on workflow artifacts, with the real @actions/artifact
// client against the GitHub emulator.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../src/errors.ts';
import { type ArtifactStateStoreOptions, createArtifactStateStore } from '../src/github/state-store.ts';
import type { StateStore } from '../src/rotation/ports.ts';
import type { Phase, RotationState } from '../src/rotation/state.ts';
import { GitHubEmulator } from './emulators/github/index.ts';

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
  return {
    schemaVersion: 1,
    clientId: 'pkg-client-id',
    phase,
    updatedAt: '2026-11-02T10:00:00.000Z',
    runId,
    runAttempt: 1,
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
    lastActivatedAt: null,
    history: [],
  };
}

/** A store as a job of `runId` sees it (the runtime token is in the environment, as on a runner). */
function storeInRun(
  artifactName: string,
  runId: number,
  overrides: Partial<ArtifactStateStoreOptions> = {},
): StateStore {
  Object.assign(process.env, gh.artifacts.runtimeEnv({ owner: 'octo', repo: 'app', runId }));
  return createArtifactStateStore({
    artifactName,
    retentionDays: 7,
    owner: 'octo',
    repo: 'app',
    runId,
    apiUrl: gh.url,
    stateToken,
    artifactClient: new artifacts.DefaultArtifactClient(),
    workDir,
    log: { debug: () => {}, warning: () => {} },
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

    expect(await storeInRun('state-basic', 11).load()).toEqual({ state: saved });
  });

  it('supersedes an earlier save of the same run', async () => {
    const store = storeInRun('state-twice', 20);
    const first = await store.save(state('staged', 20));
    const second = await store.save(state('published', 20));
    expect(second.artifactId).not.toBe(first.artifactId);
    expect(gh.artifacts.list('octo', 'app').filter((a) => a.name === 'state-twice')).toEqual([
      expect.objectContaining({ id: second.artifactId, runId: 20 }),
    ]);
    expect(await storeInRun('state-twice', 21).load()).toEqual({ state: state('published', 20) });
  });

  it("loads the newest run's state", async () => {
    await storeInRun('state-newest', 30).save(state('staged', 30));
    await storeInRun('state-newest', 31).save(state('published', 31));
    await storeInRun('state-other-name', 32).save(state('idle', 32));
    expect(await storeInRun('state-newest', 33).load()).toEqual({ state: state('published', 31) });
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
    expect(await storeInRun('state-expiry', 62).load()).toEqual({ state: state('staged', 60) });

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
    ['no state.json', { 'other.txt': 'hello' }, /no readable state\.json/],
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
    expect(await storeInRun('state-flaky', 81).load()).toEqual({ state: state('staged', 80) });
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
