// A GitHub that stops answering, end to end through dist/index.js: the run
// gives up on its own (the server is still holding when it ends), changes
// nothing it cannot finish, and the next run completes the rotation with no
// outage instant. `github-timeout-seconds: 2` keeps the per-attempt limit small.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import { SECRET, THREE_DESTINATIONS, World } from '../support/world.ts';

let world: World;
let watched: WatchedDestination[];
let oracle: OutageOracle;
beforeEach(async () => {
  world = await World.create();
  watched = world.seedThreeDestinations();
  oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
});
afterEach(async () => {
  oracle.stop();
  expect(oracle.violations).toEqual([]);
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

const inputs = { mode: 'rotate', destinations: THREE_DESTINATIONS, 'github-timeout-seconds': '2' };

/** Holds every matching call until released; released only after the stalled run has ended. */
function stall(route: string | RegExp): { release(): void } {
  let release = () => {};
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fault = world.gh.server.faults.inject({ route, mode: { kind: 'hold', until }, times: 1_000 });
  return {
    release: () => {
      fault.clear();
      release();
    },
  };
}

/** The next run, with GitHub answering again, finishes the rotation. */
async function nextRunCompletes(): Promise<void> {
  const run = await world.run({ inputs });
  expect(run.code, run.stdout).toBe(0);
  expect(run.outputs.rotated).toBe('true');
  const active = world.mc.knownSecrets().filter((s) => world.mc.accepts(world.clientId, s));
  for (const d of watched) expect(active).toContain(world.gh.secretValue(d.scope, d.name));
  expect(world.mc.accepts(world.clientId, world.initialSecret)).toBe(false);
}

describe('a stalled GitHub', () => {
  it('gives up on a destination write that never answers, activates nothing, and the next run finishes', {
    timeout: 150_000,
  }, async () => {
    const stalled = stall('PUT /orgs/:org/actions/secrets/:name');
    const run = await world.run({ inputs });
    stalled.release();
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error[^\n]*org:acme/);
    // Staged and escrowed, never activated: every consumer still holds an accepted secret.
    expect(world.count('activated')).toBe(0);
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeDefined();
    await nextRunCompletes();
  });

  it('gives up on an artifact service that never answers a save, and the next run finishes', async () => {
    const stalled = stall(/^POST \/twirp\//);
    const run = await world.run({ inputs });
    stalled.release();
    expect(run.killed).toBe(false);
    expect(run.stdout).toMatch(/Saving the state artifact did not finish within 8 s/);
    await nextRunCompletes();
  });
});
