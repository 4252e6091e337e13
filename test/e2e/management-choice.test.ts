// The choice between `setup` and `api` on a tenant as Salesforce ships it:
// a token endpoint and no management API. The default workflow (no
// `management` input) works there; `api` pointed at it stops before any write
// and names the two choices. End to end through dist/index.js.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutageOracle } from '../support/outage-oracle.ts';
import { errorAnnotations } from '../support/runner.ts';
import { OWNER, REPO, SECRET, World } from '../support/world.ts';
import { mark, writesSince } from './support-no-writes.ts';

let world: World;
let oracle: OutageOracle | undefined;
beforeEach(async () => {
  world = await World.create({ windowMs: 800, managementApi: false });
});
afterEach(async () => {
  oracle?.stop();
  expect(oracle?.violations ?? []).toEqual([]);
  oracle = undefined;
  expect(world.leaks()).toEqual([]);
  await world.stop();
});

const managementCalls = () => world.mc.server.log.filter((e) => e.path.startsWith('/platform/')).length;

describe('a tenant without a management API', () => {
  it('rotates with the default workflow (no management input): remind, distribute, confirm', async () => {
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, [
      { id: `repo:${OWNER}/${REPO}`, scope: World.repoScope, name: SECRET },
    ]);
    const run = () =>
      world.run({
        inputs: {
          management: undefined,
          'management-url': undefined,
          mode: 'auto',
          'max-wait-seconds': '10',
        },
        previousFrom: { scope: World.repoScope, name: `${SECRET}_PREVIOUS` },
      });

    const reminder = await run();
    expect(reminder.code).toBe(0);
    expect(reminder.stdout).toMatch(/::notice[^\n]*API Integration → Staged Secret → Generate/);

    const { clientSecret: fresh } = world.mc.setupGenerate(world.clientId, 'generated in Setup');
    world.gh.seedSecret(World.repoScope, `${SECRET}_STAGED`, fresh);
    const distribute = await run();
    expect(distribute.code).toBe(0);
    expect(distribute.outputs.phase).toBe('published');
    expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(fresh);

    world.mc.setupActivate(world.clientId);
    const confirm = await run();
    expect(confirm.code).toBe(0);
    expect(confirm.outputs.rotated).toBe('true');
    expect(confirm.outputs.phase).toBe('idle');
    expect(managementCalls()).toBe(0);
  });

  it('stops an `api` run in preflight, before any write, naming the two choices', async () => {
    const before = mark(world);
    const run = await world.run();

    expect(run.code).toBe(1);
    const errors = errorAnnotations(run.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.title).toBe('sfmc-secret-rotation: management-url');
    expect(errors[0]?.message).toContain(
      `management-url ${world.mc.url} does not serve the management contract: asked to read the secret status, ` +
        "it answered 404 with JSON that is not the contract's",
    );
    expect(errors[0]?.message).toContain('Either use `management: setup`');
    expect(errors[0]?.message).toContain('a service that implements docs/management-api.openapi.yaml');
    expect(errors[0]?.message).not.toContain('was not found');
    expect(managementCalls()).toBe(1);
    expect(writesSince(world, before)).toEqual([]);
    expect(world.mc.history(world.clientId)).toEqual([]);
    expect(world.gh.secretNames(World.repoScope)).toEqual([SECRET]);
  });
});
