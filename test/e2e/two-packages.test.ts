// Two installed packages rotated at the same time in one repository, as
// examples/several-packages.yml does (one job per package, each with its own
// secret name and client id): neither touches the other's secrets, escrow,
// state artifact or reminder issue. End to end through dist/index.js.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubEmulator } from '../emulators/github/index.ts';
import { OutageOracle } from '../support/outage-oracle.ts';
import { OWNER, REPO, SECRET, World } from '../support/world.ts';

/** The second package's secret name shares the first one's as a prefix, as `SECRET` and `SECRET_STAGED` do. */
const OTHER = `${SECRET}_EMAIL`;

interface Package {
  clientId: string;
  secret: string;
  initial: string;
}

let world: World;
let first: Package;
let second: Package;
let oracles: OutageOracle[];
beforeEach(async () => {
  world = await World.create({ windowMs: 1000 });
  first = { clientId: world.clientId, secret: SECRET, initial: world.initialSecret };
  // Due as the first package is: its active secret is 160 days old.
  const activeCreatedAt = new Date(Date.now() - 160 * 86_400_000);
  const pkg = world.mc.addPackage({ admin: true, activeCreatedAt });
  second = { clientId: pkg.clientId, secret: OTHER, initial: pkg.clientSecret };
  world.gh.seedSecret(World.repoScope, OTHER, pkg.clientSecret, { updatedAt: activeCreatedAt });
  oracles = [first, second].map(
    (p) =>
      new OutageOracle(world.mc, world.gh, p.clientId, [
        { id: `repo:${OWNER}/${REPO} ${p.secret}`, scope: World.repoScope, name: p.secret },
      ]),
  );
});
afterEach(async () => {
  for (const oracle of oracles) oracle.stop();
  expect(oracles.flatMap((o) => o.violations)).toEqual([]);
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

const repoSecret = (name: string) => world.gh.secretValue(World.repoScope, name);
const stateNames = () => world.gh.artifacts.list(OWNER, REPO).map((a) => a.name);
const openIssues = (gh: GitHubEmulator) => gh.issues(OWNER, REPO).filter((i) => i.state === 'open');

/** Both packages' runs, started together, as a matrix starts its jobs. */
function runBoth(inputs: Record<string, string | undefined>) {
  return Promise.all(
    [first, second].map((p) =>
      world.run({
        inputs: { ...inputs, 'client-id': p.clientId, 'secret-name': p.secret },
        clientSecretFrom: { scope: World.repoScope, name: p.secret },
        stagedFrom: { scope: World.repoScope, name: `${p.secret}_STAGED` },
        previousFrom: { scope: World.repoScope, name: `${p.secret}_PREVIOUS` },
      }),
    ),
  );
}

describe('two packages in one repository', () => {
  it('management: api — both rotate at once, each with its own secret, escrow and state', async () => {
    const runs = await runBoth({ mode: 'rotate', management: 'api', 'management-url': world.mc.url });
    for (const run of runs)
      expect({ code: run.code, rotated: run.outputs.rotated }).toEqual({ code: 0, rotated: 'true' });

    for (const p of [first, second]) {
      const fresh = repoSecret(p.secret) ?? '';
      expect(fresh).not.toBe(p.initial);
      expect(world.mc.accepts(p.clientId, fresh)).toBe(true);
      expect(world.mc.accepts(p.clientId, p.initial)).toBe(false);
      expect(world.mc.history(p.clientId).map((e) => e.type)).toEqual(['generated', 'activated']);
      expect(repoSecret(`${p.secret}_STAGED`)).toBeUndefined();
    }
    // Each run saved its own package's state, under its own name.
    expect(new Set(stateNames())).toEqual(
      new Set([`sfmc-rotation-${first.clientId}`, `sfmc-rotation-${second.clientId}`]),
    );
    // The action left exactly the two secrets the workflow consumes (no escrow, no probe).
    expect(world.gh.secretNames(World.repoScope).sort()).toEqual([SECRET, OTHER].sort());
  });

  it('management: setup — each package has its own reminder issue, distribution and confirmation', async () => {
    const inputs = {
      mode: 'auto',
      management: 'setup',
      'reminder-issue': 'true',
      'management-url': undefined,
    };
    const reminders = await runBoth(inputs);
    for (const run of reminders) expect(run.code).toBe(0);
    expect(openIssues(world.gh)).toHaveLength(2);

    // A person stages the first package only.
    const { clientSecret: fresh } = world.mc.setupGenerate(first.clientId, 'generated in Setup');
    world.gh.seedSecret(World.repoScope, `${SECRET}_STAGED`, fresh);
    const [distributed, stillDue] = await runBoth(inputs);
    expect(distributed?.outputs.phase).toBe('published');
    expect(stillDue?.outputs.phase).toBe('idle');
    expect(repoSecret(SECRET)).toBe(fresh);
    expect(repoSecret(`${SECRET}_PREVIOUS`)).toBe(first.initial);
    expect(repoSecret(OTHER)).toBe(second.initial);
    expect(repoSecret(`${OTHER}_PREVIOUS`)).toBeUndefined();
    expect(openIssues(world.gh)).toHaveLength(2);

    world.mc.setupActivate(first.clientId);
    const [confirmed, stillReminded] = await runBoth(inputs);
    expect(confirmed?.outputs.rotated).toBe('true');
    expect(stillReminded?.outputs.rotated).toBe('false');
    // The first package's issue is closed; the second package's stays open, untouched.
    const open = openIssues(world.gh);
    expect(open).toHaveLength(1);
    expect(open[0]?.body).toContain(`client=${second.clientId}`);
    expect(repoSecret(OTHER)).toBe(second.initial);
    expect(world.mc.history(second.clientId)).toEqual([]);
  });
});
