// Issue 8: a state artifact is the word of whoever can write to the
// repository. Forged states planted between runs (through the artifact
// service, as any workflow run of the repository could) must never make a run
// activate a secret the destinations do not hold, delete the only copy of a
// secret, silence a due reminder, or block every later run. End to end
// through dist/index.js, with the outage oracle watching the destinations.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/rotation/fingerprint.ts';
import type { RotationState } from '../../src/rotation/state.ts';
import { forgeFrom, plantState, stateOf } from '../support/forge.ts';
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import {
  ENV_DESTINATION,
  ORG,
  OWNER,
  REPO,
  SECRET,
  STAGED,
  THREE_DESTINATIONS,
  World,
} from '../support/world.ts';

const WINDOW_MS = 800;
const DAY_MS = 86_400_000;
/** World.create seeds the active secret this many days old. */
const SEEDED_AGE_DAYS = 160;

let world: World;
let watched: WatchedDestination[];
let oracle: OutageOracle | undefined;
beforeEach(async () => {
  world = await World.create({ windowMs: WINDOW_MS });
  watched = world.seedThreeDestinations();
});
afterEach(async () => {
  oracle?.stop();
  const violations = oracle?.violations ?? [];
  oracle = undefined;
  const leaks = world.leaks();
  const invalid = world.gh.validationFailures;
  await world.stop();
  expect(violations).toEqual([]);
  expect(leaks).toEqual([]);
  expect(invalid).toEqual([]);
});

const warning = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::warning'));
const idleState = (extra: Partial<RotationState>): RotationState => stateOf(world, extra);
/** A forged `published`: the staged rotation, every destination claimed done. */
const published = (s: RotationState): RotationState => ({
  ...s,
  phase: 'published',
  rotation: s.rotation && {
    ...s.rotation,
    publishedTo: [`repo:${OWNER}/${REPO}`, ENV_DESTINATION, `org:${ORG}`],
    publishedAt: new Date().toISOString(),
  },
});

describe('forged published state', () => {
  const twoJob = { destinations: THREE_DESTINATIONS, escrow: `environment:${OWNER}/${REPO}:staging` };
  const flavours = [
    {
      name: 'between the stage job and the gated activate job',
      setup: () => world.gh.addEnvironment(OWNER, REPO, 'staging'),
      first: { inputs: { mode: 'stage', ...twoJob }, stagedFrom: 'none' as const },
      second: {
        inputs: { mode: 'activate', ...twoJob, 'max-wait-seconds': '0' },
        stagedFrom: {
          scope: { level: 'environment' as const, owner: OWNER, repo: REPO, environment: 'staging' },
          name: STAGED,
        },
      },
      escrow: () =>
        world.gh.secretValue(
          { level: 'environment', owner: OWNER, repo: REPO, environment: 'staging' },
          STAGED,
        ),
    },
    {
      name: 'between two scheduled auto runs with max-wait-seconds 0',
      setup: () => undefined,
      first: { inputs: { mode: 'auto', destinations: THREE_DESTINATIONS, 'max-wait-seconds': '0' } },
      second: { inputs: { mode: 'auto', destinations: THREE_DESTINATIONS, 'max-wait-seconds': '0' } },
      escrow: () => world.gh.secretValue(World.repoScope, STAGED),
    },
  ];
  for (const f of flavours) {
    it(`${f.name}: delivers before activating, and keeps the escrow until then`, async () => {
      f.setup();
      oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
      const first = await world.run(f.first);
      expect(first.code).toBe(0);
      expect(world.newestState()?.phase).toBe('staged');
      const staged = f.escrow();
      expect(staged).toBeDefined();
      await forgeFrom(world, published);
      await sleep(WINDOW_MS + 200);

      const second = await world.run(f.second);
      expect(second.code).toBe(0);
      expect(warning(second.stdout).join('\n')).toMatch(
        /not written since it was staged; that claim was ignored/,
      );
      expect(second.outputs.rotated).toBe('true');
      expect(second.outputs['destinations-updated']).toContain(`repo:${OWNER}/${REPO}`);
      for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(staged);
      expect(world.mc.accepts(world.clientId, staged ?? '')).toBe(true);
      expect(f.escrow()).toBeUndefined();
      expect(world.count('activated')).toBe(1);
    });
  }
});

describe('forged blocking state', () => {
  /** A person rotated in Setup and saved the new secret; the state is from elsewhere. */
  async function rotatedInSetup(): Promise<string> {
    const { clientSecret } = world.mc.setupGenerate(world.clientId);
    await sleep(WINDOW_MS + 100);
    world.mc.setupActivate(world.clientId);
    for (const { scope } of watched) world.gh.seedSecret(scope, SECRET, clientSecret);
    return clientSecret;
  }
  const rotation = (stagedAt: Date) => ({
    stagedFingerprint: 'deadbeefdeadbeef',
    stagedAt: stagedAt.toISOString(),
    usableAt: stagedAt.toISOString(),
    expiresAt: new Date(stagedAt.getTime() + 180 * DAY_MS).toISOString(),
    escrowId: `repo:${OWNER}/${REPO}`,
    publishedTo: [`repo:${OWNER}/${REPO}`],
    stagedByRun: 1,
  });
  const cases = [
    { name: 'an activation of an unknown secret staged long ago', phase: 'activated', at: -30 * DAY_MS },
    { name: 'a staging Marketing Cloud never made', phase: 'published', at: 3_600_000 },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: warns, sets it aside and goes on`, async () => {
      await rotatedInSetup();
      oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
      await plantState(world, idleState({ phase: c.phase, rotation: rotation(new Date(Date.now() + c.at)) }));
      const generated = world.count('generated');

      const run = await world.run({ inputs: { mode: 'auto', destinations: THREE_DESTINATIONS } });
      expect(run.code).toBe(0);
      expect(warning(run.stdout).join('\n')).toMatch(/stored rotation state was set aside/);
      expect(run.summary).toMatch(/set aside/);
      expect(run.outputs.rotated).toBe('false');
      expect(run.stdout).toMatch(/No rotation due/);
      expect(world.count('generated')).toBe(generated);
      expect(world.gh.server.writes().filter((e) => e.path.includes('/secrets/'))).toEqual([]);
    });
  }
});

describe('the active secret’s age in management: setup', () => {
  const run = (extra: Record<string, string> = {}) =>
    world.run({
      inputs: {
        management: 'setup',
        mode: 'auto',
        destinations: THREE_DESTINATIONS,
        'max-wait-seconds': '10',
        ...extra,
      },
      previousFrom: { scope: World.repoScope, name: `${SECRET}_PREVIOUS` },
    });
  const realExpiry = () => Date.now() - SEEDED_AGE_DAYS * DAY_MS + 180 * DAY_MS;
  const near = (iso: string | undefined, at: number) =>
    expect(Math.abs(Date.parse(iso ?? '') - at)).toBeLessThan(3_600_000);

  it('a forged lastActivatedAt of today does not silence the reminder or move expires-at', async () => {
    const today = new Date().toISOString();
    const fp = fingerprint(world.clientId, world.initialSecret);
    await plantState(
      world,
      idleState({
        lastActivatedAt: today,
        activeSecret: { fingerprint: fp, createdAt: today },
        history: [{ fingerprint: fp, stagedAt: today, activatedAt: today, confirmedAt: today, runId: 1 }],
      }),
    );
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::notice[^\n]*rotation of the Marketing Cloud secret is due/);
    near(result.outputs['expires-at'], realExpiry());
  });

  it('the action’s own writes (distributing, then writing the previous secret back) never make it look young', async () => {
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
    const { clientSecret } = world.mc.setupGenerate(world.clientId);
    world.gh.seedSecret(World.repoScope, STAGED, clientSecret);
    const distribute = await run();
    expect(distribute.outputs.phase).toBe('published');
    near(distribute.outputs['expires-at'], realExpiry());

    // A second generation kills the distributed secret: the previous one is written back.
    // (An outage the person causes; the oracle watches what the action does about it.)
    oracle.stop();
    await sleep(WINDOW_MS + 100);
    world.mc.setupGenerate(world.clientId);
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
    const restore = await run();
    expect(restore.code).toBe(1);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(world.initialSecret);
    near(restore.outputs['expires-at'], realExpiry());

    // The person deletes the stale escrow: scheduled runs must still remind.
    const deleted = await fetch(`${world.gh.url}/repos/${OWNER}/${REPO}/actions/secrets/${STAGED}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${world.writeToken}` },
    });
    expect(deleted.status).toBe(204);
    const later = await run();
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(/::notice[^\n]*rotation of the Marketing Cloud secret is due/);
    near(later.outputs['expires-at'], realExpiry());
    near(later.outputs['next-rotation-at'], Date.now() - SEEDED_AGE_DAYS * DAY_MS + 150 * DAY_MS);
  });
});

describe('state refresh', () => {
  it('saves again a state older than half of state-retention-days', async () => {
    const old = new Date(Date.now() - 50 * DAY_MS).toISOString();
    await plantState(world, idleState({ updatedAt: old }));
    const before = world.stateArtifacts().length;
    const inputs = { mode: 'auto', destinations: THREE_DESTINATIONS, 'rotate-after-days': '170' };
    const run = await world.run({ inputs });
    expect(run.code).toBe(0);
    expect(run.outputs.rotated).toBe('false');
    expect(run.summary).toMatch(/State refreshed/);
    expect(world.stateArtifacts()).toHaveLength(before + 1);
    expect(Date.parse(world.newestState()?.updatedAt ?? '')).toBeGreaterThan(Date.parse(old));

    // Fresh now: the next run saves nothing.
    await world.run({ inputs });
    expect(world.stateArtifacts()).toHaveLength(before + 1);
  });
});
