// End to end through dist/index.js, started as the runner starts it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORG, OWNER, REPO, SECRET, THREE_DESTINATIONS, World } from '../support/world.ts';

let world: World;
beforeEach(async () => {
  world = await World.create({ windowMs: 1500 });
});
afterEach(async () => {
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

describe('rotate', () => {
  it('rotates and delivers to a repository, an environment and an organization (selected) destination', async () => {
    const old = world.initialSecret;
    const run = await world.run({ inputs: { mode: 'rotate', destinations: THREE_DESTINATIONS } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const fresh = world.gh.secretValue(World.repoScope, SECRET);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    expect(world.gh.secretValue(World.envScope, SECRET)).toBe(fresh);
    expect(world.gh.secretValue(World.orgScope, SECRET)).toBe(fresh);
    expect(world.gh.secretMeta(World.orgScope, SECRET)).toMatchObject({
      visibility: 'selected',
      selected_repository_ids: world.orgRepoIds,
    });
    expect(world.mc.accepts(world.clientId, fresh ?? '')).toBe(true);
    expect(world.mc.accepts(world.clientId, old)).toBe(false);
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeUndefined();
    // Saved once, before publishing; the deleted escrow tells a later run the rotation is over (docs/DESIGN.md, "Saves").
    expect(world.stateArtifacts()).toHaveLength(1);
    expect(world.newestState()?.phase).toBe('staged');
    expect(world.stateUnsettled(fresh ?? '')).toBeUndefined();
    expect(world.mc.history(world.clientId).map((e) => e.type)).toEqual(['generated', 'activated']);

    expect(run.outputs.phase).toBe('idle');
    expect(run.outputs.rotated).toBe('true');
    expect(JSON.parse(run.outputs['destinations-updated'] ?? '[]')).toEqual([
      `repo:${OWNER}/${REPO}`,
      `environment:${OWNER}/${REPO}:production`,
      `org:${ORG} visibility=selected repositories=api,web`,
    ]);
    expect(Date.parse(run.outputs['activated-at'] ?? '')).toBeGreaterThan(
      Date.parse(run.outputs['staged-at'] ?? ''),
    );
    expect(run.outputs['expires-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(run.outputs['next-rotation-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Number(run.outputs['state-artifact-id'])).toBeGreaterThan(0);
    expect(run.stdout).toContain(`::add-mask::${fresh}`);
    expect(run.summary).toContain('confirm');

    // A scheduled run next: the platforms show the rotation over, and the new secret is young. It
    // writes no secret; it saves the state as idle, once.
    const secretWrites = () => world.gh.server.writes().filter((e) => e.path.includes('/secrets/')).length;
    const writesBefore = secretWrites();
    const next = await world.run({ inputs: { mode: 'auto', destinations: THREE_DESTINATIONS } });
    expect(next.code).toBe(0);
    expect(next.outputs.rotated).toBe('false');
    expect(next.outputs.phase).toBe('idle');
    expect(next.summary).toMatch(/No rotation due/);
    expect(secretWrites()).toBe(writesBefore);
    expect(world.count('generated')).toBe(1);
    expect(world.newestState()).toMatchObject({ phase: 'idle', rotation: null });
  });
});
