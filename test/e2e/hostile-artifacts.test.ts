// Artifacts the action must not believe, end to end through dist/index.js:
// a forged `published` state planted by a fork's pull request (and by a
// same-repository pull request, and an expired one), an oversized artifact
// and a zip bomb. Each run ignores them, names them, and the two-job rotation
// finishes with no outage instant.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RotationState } from '../../src/rotation/state.ts';
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import { OWNER, REPO, SECRET, THREE_DESTINATIONS, type WorkflowRunOptions, World } from '../support/world.ts';
import { zipBomb } from '../support/zip-bomb.ts';

const PEAK_RSS_PROBE = resolve(import.meta.dirname, '../../scripts/peak-rss.cjs');

let world: World;
let watched: WatchedDestination[];
let oracle: OutageOracle;
beforeEach(async () => {
  world = await World.create();
  world.gh.addRepo('mallory', REPO, { private: false });
  watched = world.seedThreeDestinations();
  oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
});
afterEach(async () => {
  oracle.stop();
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

const inputs = { destinations: THREE_DESTINATIONS };
let nextPlantedRun = 7000;

/** Stages (and escrows) in one run; returns the state it saved. */
async function stage(): Promise<RotationState> {
  const run = await world.run({ inputs: { ...inputs, mode: 'stage' }, stagedFrom: 'none' });
  expect(run.code).toBe(0);
  const state = world.newestState();
  expect(state?.phase).toBe('staged');
  return state as RotationState;
}

/** The attack: the public state, copied and moved on to `published` everywhere, saved later. */
function forgedPublished(real: RotationState, runId: number): Buffer {
  const rotation = real.rotation;
  if (!rotation) throw new Error('no rotation in the staged state');
  const forged: RotationState = {
    ...real,
    phase: 'published',
    runId,
    updatedAt: new Date().toISOString(),
    rotation: { ...rotation, publishedTo: watched.map((d) => d.id) },
  };
  return Buffer.from(zipSync({ 'state.json': strToU8(JSON.stringify(forged)) }));
}

function plant(bytes: Buffer, origin: { event: string; fork: boolean }): number {
  return world.gh.plantArtifact({
    owner: OWNER,
    repo: REPO,
    runId: nextPlantedRun++,
    name: `sfmc-rotation-${world.clientId}`,
    bytes,
    event: origin.event,
    ...(origin.fork ? { headRepository: `mallory/${REPO}` } : {}),
  });
}

/** The gated second job: it must deliver to every destination before it activates. */
async function activate(options: Pick<WorkflowRunOptions, 'nodeArgs' | 'env'> = {}) {
  const run = await world.run({ inputs: { ...inputs, mode: 'activate' }, ...options });
  expect(run.code, run.stdout).toBe(0);
  expect(run.outputs.rotated).toBe('true');
  const staged = world.mc.knownSecrets().find((s) => world.mc.accepts(world.clientId, s));
  for (const d of watched) expect(world.gh.secretValue(d.scope, d.name)).toBe(staged);
  expect(oracle.violations).toEqual([]);
  expect(world.count('activated')).toBe(1);
  return run;
}

/** The `::warning` line naming an ignored artifact, and the summary note. */
function expectIgnored(run: { stdout: string; summary: string }, id: number, reason: RegExp): void {
  expect(run.stdout).toMatch(new RegExp(`::warning::Ignored state artifact ${id} [^\\n]*${reason.source}`));
  expect(run.summary).toMatch(new RegExp(`ignored state artifact ${id} [^\\n]*${reason.source}`));
}

describe('forged state', () => {
  it("ignores a fork pull request's `published` state: the rotation delivers everywhere before activating", async () => {
    const real = await stage();
    const forged = plant(forgedPublished(real, nextPlantedRun), { event: 'pull_request', fork: true });
    const run = await activate();
    expectIgnored(run, forged, /a fork/);
  });

  it('ignores a same-repository pull_request state and an expired one', async () => {
    const real = await stage();
    const expired = plant(forgedPublished(real, nextPlantedRun), { event: 'push', fork: false });
    world.gh.artifacts.expire(expired);
    const fromPullRequest = plant(forgedPublished(real, nextPlantedRun), {
      event: 'pull_request',
      fork: false,
    });
    const run = await activate();
    expectIgnored(run, fromPullRequest, /triggered by \\?`pull_request\\?`/);
    expect(run.stdout).toMatch(new RegExp(`Skipped state artifact ${expired} [^\\n]*expired`));
  });
});

describe('bounded reading', () => {
  it('skips an artifact over 1 MiB unread', async () => {
    await stage();
    const big = plant(Buffer.alloc(2 * 1024 * 1024, 7), { event: 'push', fork: false });
    const run = await activate();
    expectIgnored(run, big, /over the 1 MiB cap/);
    expect(world.gh.server.log.filter((e) => e.path.includes(`/artifacts/${big}/zip`))).toEqual([]);
  });

  it('stops a zip bomb at the cap, leaves nothing on disk, and goes on with the real state', async () => {
    await stage();
    // About 530 KB that inflates to 512 MiB.
    const bomb = plant(zipBomb(512), { event: 'push', fork: false });
    // The action's peak memory, written by a preloaded probe as it exits (as the benchmark measures it).
    const rssFile = join(await mkdtemp(join(tmpdir(), 'sfmc-rss-')), 'peak');
    const run = await activate({
      nodeArgs: ['--require', PEAK_RSS_PROBE],
      env: { SFMC_BENCH_RSS_FILE: rssFile },
    });
    expectIgnored(run, bomb, /inflates past the 1048576-byte cap/);
    // Unbounded, the 512 MiB would be in memory; bounded, the run stays near its usual ~150 MB.
    expect(Number(await readFile(rssFile, 'utf8')) / 1024).toBeLessThan(300);
    // Nothing was unpacked to RUNNER_TEMP (the runner lists what is left there).
    expect(Object.keys(run.files)).toEqual([]);
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeUndefined();
  });
});
