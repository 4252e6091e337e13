// README's permission table, tested row by row through dist/index.js: a token
// granted exactly what a row says completes a rotation; the same token less
// that permission fails with a message naming it, before Marketing Cloud
// generates anything. A wrong README row fails here.
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { Access, Permission, SecretScope } from '../emulators/github/index.ts';
import { type PermissionRowKey, readmePermissionTable } from '../support/permission-table.ts';
import { errorAnnotations } from '../support/runner.ts';
import { ENV_DESTINATION, ORG, OWNER, REPO, SECRET, World } from '../support/world.ts';

const TABLE = readmePermissionTable(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
const row = (key: PermissionRowKey) => {
  const found = TABLE.find((r) => r.key === key);
  if (!found) throw new Error(`README has no ${key} row`);
  return found.app as Partial<Record<Permission, Access>>;
};

/** Each destination kind: its `destinations` line (also the escrow) and where the secret lands. */
const KINDS: { key: PermissionRowKey; line: string; scope: SecretScope }[] = [
  { key: 'repo', line: `repo:${OWNER}/${REPO}`, scope: World.repoScope },
  { key: 'environment', line: ENV_DESTINATION, scope: World.envScope },
  { key: 'org', line: `org:${ORG} visibility=private`, scope: World.orgScope },
  {
    key: 'dependabot',
    line: `dependabot:${OWNER}/${REPO}`,
    scope: { level: 'dependabot-repo', owner: OWNER, repo: REPO },
  },
  {
    key: 'dependabot-org',
    line: `dependabot-org:${ORG} visibility=private`,
    scope: { level: 'dependabot-org', org: ORG },
  },
];

type Grant = Partial<Record<Permission, Access>>;

/** The row's permissions less one: dropped, or (for a write) lowered to read. */
function weakened(grant: Grant): { name: string; grant: Grant; missing: string }[] {
  return Object.entries(grant).flatMap(([permission, access]) => {
    const { [permission as Permission]: _, ...without } = grant;
    const missing = `${permission}: ${access}`;
    return [
      { name: `without ${permission}`, grant: without, missing },
      ...(access === 'write'
        ? [{ name: `${permission} read only`, grant: { ...without, [permission]: 'read' }, missing }]
        : []),
    ];
  });
}

async function withWorld<T>(body: (world: World) => Promise<T>): Promise<T> {
  const world = await World.create({ windowMs: 300 });
  try {
    return await body(world);
  } finally {
    await world.stop();
  }
}

function tokens(world: World, github: Grant, state: Grant = row('state')) {
  return {
    'github-token': world.gh.addToken({
      repositories: [`${OWNER}/${REPO}`],
      orgs: [ORG],
      permissions: github,
    }),
    'state-token': world.gh.addToken({ repositories: [`${OWNER}/${REPO}`], permissions: state }),
  };
}

const apiRotation = (world: World, line: string, granted: Record<string, string>) =>
  world.run({
    inputs: {
      management: 'api',
      'management-url': world.mc.url,
      mode: 'rotate',
      destinations: line,
      ...granted,
    },
  });

describe.concurrent('a token granted what README says', () => {
  it.for(KINDS)(
    '$key: completes a rotation with exactly the README row',
    async ({ key, line, scope }, { expect }) => {
      await withWorld(async (world) => {
        const run = await apiRotation(world, line, tokens(world, row(key)));
        expect(errorAnnotations(run.stdout)).toEqual([]);
        expect(run.code).toBe(0);
        expect(run.outputs.rotated).toBe('true');
        const written = world.gh.secretValue(scope, SECRET);
        expect(written).not.toBe(world.initialSecret);
        expect(written !== undefined && world.mc.accepts(world.clientId, written)).toBe(true);
        expect(world.gh.secretNames(scope)).toEqual([SECRET]);
        expect(world.leaks()).toEqual([]);
        expect(world.gh.validationFailures).toEqual([]);
      });
    },
  );

  it('reminder-issue: reminds, distributes and confirms with the repo and reminder-issue rows', async ({
    expect,
  }) => {
    await withWorld(async (world) => {
      const granted = tokens(world, { ...row('repo'), ...row('reminder-issue') });
      const run = () =>
        world.run({
          inputs: { management: 'setup', mode: 'auto', 'reminder-issue': 'true', ...granted },
          previousFrom: { scope: World.repoScope, name: `${SECRET}_PREVIOUS` },
        });
      expect((await run()).code).toBe(0);
      expect(world.gh.issues(OWNER, REPO).filter((i) => i.state === 'open')).toHaveLength(1);
      const { clientSecret } = world.mc.setupGenerate(world.clientId, 'generated in Setup');
      world.gh.seedSecret(World.repoScope, `${SECRET}_STAGED`, clientSecret);
      expect((await run()).code).toBe(0);
      world.mc.setupActivate(world.clientId);
      const confirm = await run();
      expect(confirm.code).toBe(0);
      expect(confirm.outputs.rotated).toBe('true');
      expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(clientSecret);
      expect(world.gh.issues(OWNER, REPO).filter((i) => i.state === 'open')).toEqual([]);
      expect(world.leaks()).toEqual([]);
    });
  });
});

describe.concurrent('the same token less one permission fails before anything is staged', () => {
  const cases = KINDS.flatMap((kind) => weakened(row(kind.key)).map((w) => ({ ...kind, ...w })));
  it.for(cases)('$key, $name: names $missing', async ({ line, scope, grant, missing }, { expect }) => {
    await withWorld(async (world) => {
      const run = await apiRotation(world, line, tokens(world, grant));
      expect(run.code).toBe(1);
      const [error] = errorAnnotations(run.stdout);
      expect(error?.message).toContain(`\`${missing}\``);
      expect(world.count('generated')).toBe(0);
      // The write check leaves nothing behind.
      expect(world.gh.secretNames(scope).filter((n) => n !== SECRET)).toEqual([]);
      expect(world.gh.validationFailures).toEqual([]);
    });
  });

  it.for(weakened(row('reminder-issue')))(
    'reminder-issue, $name: names $missing',
    async ({ grant, missing }, { expect }) => {
      await withWorld(async (world) => {
        const run = await world.run({
          inputs: {
            management: 'setup',
            mode: 'auto',
            'reminder-issue': 'true',
            ...tokens(world, { ...row('repo'), ...grant }),
          },
        });
        expect(run.code).toBe(1);
        expect(errorAnnotations(run.stdout)[0]?.message).toContain(`\`${missing}\``);
        expect(world.gh.issues(OWNER, REPO)).toEqual([]);
      });
    },
  );

  it.for(weakened(row('state')))('state, $name: names $missing', async ({ grant, missing }, { expect }) => {
    await withWorld(async (world) => {
      const run = await apiRotation(world, `repo:${OWNER}/${REPO}`, tokens(world, row('repo'), grant));
      expect(run.code).toBe(1);
      expect(errorAnnotations(run.stdout)[0]?.message).toContain(missing);
      expect(world.count('generated')).toBe(0);
    });
  });
});
