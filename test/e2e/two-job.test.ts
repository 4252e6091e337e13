// The two-job flow (stage, then activate behind an environment gate) and
// `auto` on a schedule doing one step per run, end to end through dist/index.js.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORG, OWNER, REPO, SECRET, World } from '../support/world.ts';

const WINDOW_MS = 1200;
let world: World;
beforeEach(async () => {
  world = await World.create({ windowMs: WINDOW_MS });
});
afterEach(async () => {
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

const destinations = [`repo:${OWNER}/${REPO}`, `org:${ORG} visibility=selected repositories=web,api`].join(
  '\n',
);
const escrow = `environment:${OWNER}/${REPO}:production`;

describe('two jobs: stage, then activate behind an environment', () => {
  it('stages and escrows in the environment, then the gated job delivers, activates and confirms', async () => {
    const old = world.initialSecret;
    const stage = await world.run({ inputs: { mode: 'stage', destinations, escrow }, stagedFrom: 'none' });
    expect(stage.code).toBe(0);
    expect(stage.outputs.phase).toBe('staged');
    expect(stage.outputs.rotated).toBe('false');
    const staged = world.gh.secretValue(World.envScope, `${SECRET}_STAGED`);
    expect(staged).toBeDefined();
    expect(staged).not.toBe(old);
    // Nothing but the escrow changed: consumers still hold the active secret.
    expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(old);
    expect(world.gh.secretValue(World.orgScope, SECRET)).toBeUndefined();
    expect(world.count('activated')).toBe(0);
    expect(world.newestState()?.phase).toBe('staged');

    // The gated job starts later; it reads the environment's escrow when it starts.
    const activate = await world.run({
      inputs: { mode: 'activate', destinations, escrow },
      stagedFrom: { scope: World.envScope, name: `${SECRET}_STAGED` },
    });
    expect(activate.code).toBe(0);
    expect(activate.outputs.rotated).toBe('true');
    expect(activate.outputs.phase).toBe('idle');
    expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(staged);
    expect(world.gh.secretValue(World.orgScope, SECRET)).toBe(staged);
    expect(world.gh.secretValue(World.envScope, `${SECRET}_STAGED`)).toBeUndefined();
    expect(world.mc.accepts(world.clientId, staged ?? '')).toBe(true);
    expect(world.mc.accepts(world.clientId, old)).toBe(false);
    expect(world.count('generated')).toBe(1);
    expect(world.count('activated')).toBe(1);
    expect(world.stateUnsettled(staged ?? '')).toBeUndefined();

    // The next stage job finds the rotation over: the escrow is gone. It stages the next one (mode stage always does).
    const next = await world.run({ inputs: { mode: 'stage', destinations, escrow }, stagedFrom: 'none' });
    expect(next.code).toBe(0);
    expect(world.count('generated')).toBe(2);
    expect(world.newestState()?.history).toEqual([
      expect.objectContaining({ runId: stage.runId, activatedAt: expect.any(String) }),
    ]);
  });

  it('activate with nothing staged fails clearly and changes nothing', async () => {
    const run = await world.run({ inputs: { mode: 'activate', destinations, escrow } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error[^\n]*nothing is staged/);
    expect(world.count('generated')).toBe(0);
    expect(world.gh.server.writes().filter((e) => e.path.includes('/secrets/'))).toEqual([]);
  });
});

describe('auto on a schedule, one step per run', () => {
  it('stages in one run, finishes in the next, then has nothing to do', async () => {
    const old = world.initialSecret;
    const inputs = { mode: 'auto', destinations, 'max-wait-seconds': '0' };
    const first = await world.run({ inputs });
    expect(first.code).toBe(0);
    expect(first.outputs.phase).toBe('staged');
    expect(first.outputs.rotated).toBe('false');
    expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(old);
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeDefined();

    await sleep(WINDOW_MS + 200);
    const second = await world.run({ inputs });
    expect(second.code).toBe(0);
    expect(second.outputs.rotated).toBe('true');
    const fresh = world.gh.secretValue(World.repoScope, SECRET);
    expect(fresh).not.toBe(old);
    expect(world.mc.accepts(world.clientId, fresh ?? '')).toBe(true);
    expect(world.mc.accepts(world.clientId, old)).toBe(false);

    // Token requests (POST /v2/token) change nothing; every other non-GET would, but the state's own.
    const stateWrite = (path: string) => path.startsWith('/twirp/') || path.startsWith('/artifactstore/');
    const changes = () =>
      world.gh.server.writes().filter((e) => !stateWrite(e.path)).length +
      world.mc.server.writes().filter((e) => e.path !== '/v2/token').length;
    const before = changes();
    const third = await world.run({ inputs });
    expect(third.code).toBe(0);
    expect(third.outputs.rotated).toBe('false');
    expect(third.outputs.phase).toBe('idle');
    expect(changes()).toBe(before);
    expect(world.count('generated')).toBe(1);
    expect(world.count('activated')).toBe(1);
    // It found the rotation over and saved that once (docs/DESIGN.md, "Saves"); the run after it writes nothing.
    expect(world.newestState()).toMatchObject({ phase: 'idle', rotation: null });
    expect(world.newestState()?.history).toHaveLength(1);
    const writes = world.gh.server.writes().length;
    const fourth = await world.run({ inputs });
    expect(fourth.code).toBe(0);
    expect(world.gh.server.writes().length).toBe(writes);
  });
});
