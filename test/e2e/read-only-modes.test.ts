// The runs that must write nothing, end to end through dist/index.js: `auto`
// when no rotation is due, `status` (idle and mid-rotation) and `plan`. Each
// is checked against both emulators' request logs and the artifact list.
import { describe, type ExpectStatic, it } from 'vitest';
import type { SecretScope } from '../emulators/github/index.ts';
import { errorAnnotations, unexpectedStderr } from '../support/runner.ts';
import {
  ORG,
  OWNER,
  REPO,
  SECRET,
  type WorkflowRun,
  type WorkflowRunOptions,
  World,
} from '../support/world.ts';
import { type Mark, mark, writesSince } from './support-no-writes.ts';

const DAY_MS = 86_400_000;
/** The repository secret of a package created for one test, beside the world's own. */
const FRESH = 'FRESH_CLIENT_SECRET';

/** A self-managed package whose active secret is `ageDays` old, held in the repository as FRESH. */
function freshPackage(
  world: World,
  ageDays: number,
): { clientId: string; secret: string; run: WorkflowRunOptions } {
  const pkg = world.mc.addPackage({ admin: true, activeCreatedAt: new Date(Date.now() - ageDays * DAY_MS) });
  world.gh.seedSecret(World.repoScope, FRESH, pkg.clientSecret);
  return {
    clientId: pkg.clientId,
    secret: pkg.clientSecret,
    run: {
      inputs: { mode: 'auto', 'client-id': pkg.clientId, 'secret-name': FRESH },
      clientSecretFrom: { scope: World.repoScope, name: FRESH },
      stagedFrom: { scope: World.repoScope, name: `${FRESH}_STAGED` },
    },
  };
}

/** The active secret's dates as Marketing Cloud reports them, and when `auto` rotates. */
function activeDates(world: World, clientId: string, rotateAfterDays: number) {
  const { active } = world.mc.statusOf(clientId);
  return {
    expiresAt: active.expiresAt,
    nextRotationAt: new Date(Date.parse(active.createdAt) + rotateAfterDays * DAY_MS).toISOString(),
  };
}

/** A run that succeeded and changed nothing since `before`. */
function expectReadOnly(expect: ExpectStatic, world: World, before: Mark, run: WorkflowRun): void {
  expect(unexpectedStderr(run.stderr)).toBe('');
  expect(run.code).toBe(0);
  expect(errorAnnotations(run.stdout)).toEqual([]);
  expect(writesSince(world, before)).toEqual([]);
  expect(run.outputs.rotated).toBe('false');
  expect(run.outputs['destinations-updated']).toBe('[]');
  expect(run.outputs['state-artifact-id']).toBe('');
  expect(run.outputs['activated-at']).toBe('');
}

/** Nothing any run wrote holds a secret, and every GitHub call matched GitHub's OpenAPI description. */
function expectCleanRecord(expect: ExpectStatic, world: World): void {
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
}

const scopes: SecretScope[] = [World.repoScope, World.envScope, World.orgScope];
/** Every secret name at the repository, environment and organization level. */
const secretNames = (world: World) => scopes.map((scope) => world.gh.secretNames(scope));

describe.concurrent('modes that write nothing', () => {
  it('auto, when the active secret is not due, changes nothing and says when it will be', async ({
    expect,
  }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const fresh = freshPackage(world, 10);
      for (const rotateAfterDays of ['150', '30']) {
        const before = mark(world);
        const run = await world.run({
          ...fresh.run,
          inputs: { ...fresh.run.inputs, 'rotate-after-days': rotateAfterDays },
        });
        expectReadOnly(expect, world, before, run);
        const dates = activeDates(world, fresh.clientId, Number(rotateAfterDays));
        expect(run.outputs.phase).toBe('idle');
        expect(run.outputs['staged-at']).toBe('');
        expect(run.outputs['next-rotation-at']).toBe(dates.nextRotationAt);
        expect(run.outputs['expires-at']).toBe(dates.expiresAt);
        expect(run.summary).toContain(
          `## SFMC secret rotation (auto): No rotation due; the next one is due ${dates.nextRotationAt}.`,
        );
        expect(run.summary).toContain('- Age: 10 days');
      }
      const before = mark(world);
      const status = await world.run({ ...fresh.run, inputs: { ...fresh.run.inputs, mode: 'status' } });
      expectReadOnly(expect, world, before, status);
      expect(status.outputs.phase).toBe('idle');
      expect(status.outputs['next-rotation-at']).toBe(activeDates(world, fresh.clientId, 150).nextRotationAt);
      // status reports what a scheduled auto run would do: nothing, when not due.
      expect(status.summary).toContain('Phase idle. No rotation due');

      expect(world.mc.history(fresh.clientId)).toEqual([]);
      expect(world.mc.statusOf(fresh.clientId).staged).toBe(null);
      expect(world.gh.secretNames(World.repoScope).sort()).toEqual([FRESH, SECRET]);
      expect(world.gh.secretValue(World.repoScope, FRESH)).toBe(fresh.secret);
      expectCleanRecord(expect, world);
    } finally {
      await world.stop();
    }
  });

  it('status of an idle secret reports its dates and writes nothing', async ({ expect }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const before = mark(world);
      const run = await world.run({ inputs: { mode: 'status' } });
      expectReadOnly(expect, world, before, run);
      const dates = activeDates(world, world.clientId, 150);
      expect(run.outputs.phase).toBe('idle');
      expect(run.outputs['staged-at']).toBe('');
      expect(run.outputs['next-rotation-at']).toBe(dates.nextRotationAt);
      expect(run.outputs['expires-at']).toBe(dates.expiresAt);
      expect(run.summary).toContain('## SFMC secret rotation (status):');
      expect(run.summary).toContain('- Age: 160 days');
      expect(run.summary).not.toContain('### Destinations');
      expect(world.mc.history(world.clientId)).toEqual([]);
      expect(secretNames(world)).toEqual([[SECRET], [], []]);
      expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(world.initialSecret);
      expectCleanRecord(expect, world);
    } finally {
      await world.stop();
    }
  });

  it('status and plan while a rotation is staged report it and write nothing', async ({ expect }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const stage = await world.run({ inputs: { mode: 'stage' } });
      expect(stage.code).toBe(0);
      expect(stage.outputs.phase).toBe('staged');
      const staged = world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`);
      expect(staged).toBeDefined();
      const stagedAt = stage.outputs['staged-at'];
      expect(stagedAt).toBe(world.mc.statusOf(world.clientId).staged?.createdAt);
      const history = world.mc.history(world.clientId);

      // With the escrow passed in, and without it (then a rotation would first put
      // the active secret back: status must only report that).
      for (const stagedFrom of [undefined, 'none'] as const) {
        const before = mark(world);
        const run = await world.run({ inputs: { mode: 'status' }, stagedFrom });
        expectReadOnly(expect, world, before, run);
        expect(run.outputs.phase).toBe('staged');
        expect(run.outputs['staged-at']).toBe(stagedAt);
        expect(run.summary).toContain('Phase staged.');
        expect(run.summary).toContain('## SFMC secret rotation (status):');
      }

      const before = mark(world);
      const plan = await world.run({ inputs: { mode: 'plan' } });
      expectReadOnly(expect, world, before, plan);
      expect(plan.outputs.phase).toBe('staged');
      expect(plan.outputs['staged-at']).toBe(stagedAt);
      expect(plan.summary).toContain(
        '## SFMC secret rotation (plan): Would await-usable, publish, verify, activate, confirm.',
      );
      expect(plan.summary).toContain(`| repo:${OWNER}/${REPO} | repo | ${SECRET} | would-update |`);

      expect(world.mc.history(world.clientId)).toEqual(history);
      expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(world.initialSecret);
      expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBe(staged);
      expect(world.newestState()?.phase).toBe('staged');
      expectCleanRecord(expect, world);
    } finally {
      await world.stop();
    }
  });

  it('plan for a due secret lists every step and destination and writes nothing', async ({ expect }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const destinations = [
        `repo:${OWNER}/${REPO}`,
        `environment:${OWNER}/${REPO}:production name=SFMC_PROD_SECRET`,
        `org:${ORG} visibility=selected repositories=web,api`,
      ];
      const before = mark(world);
      const run = await world.run({ inputs: { mode: 'plan', destinations: destinations.join('\n') } });
      expectReadOnly(expect, world, before, run);
      expect(run.outputs.phase).toBe('idle');
      expect(run.outputs['staged-at']).toBe('');
      expect(run.outputs['next-rotation-at']).toBe(activeDates(world, world.clientId, 150).nextRotationAt);
      expect(run.summary).toContain(
        '## SFMC secret rotation (plan): Would stage, await-usable, publish, verify, activate, confirm.',
      );
      const steps = ['stage', 'await-usable', 'publish', 'verify', 'activate', 'confirm'];
      steps.forEach((step, i) => {
        expect(run.summary).toContain(`\n${i + 1}. ${step}: `);
      });
      for (const row of [
        `| repo:${OWNER}/${REPO} | repo | ${SECRET} | would-update |`,
        `| environment:${OWNER}/${REPO}:production name=SFMC_PROD_SECRET | environment | SFMC_PROD_SECRET | would-update |`,
        `| org:${ORG} visibility=selected repositories=api,web | org | ${SECRET} | would-update |`,
      ]) {
        expect(run.summary).toContain(row);
      }
      expect(world.mc.history(world.clientId)).toEqual([]);
      expect(secretNames(world)).toEqual([[SECRET], [], []]);
      expectCleanRecord(expect, world);
    } finally {
      await world.stop();
    }
  });

  it.for([
    {
      name: 'an environment that does not exist',
      line: `environment:${OWNER}/${REPO}:staging`,
      says: 'environment "staging" does not exist',
    },
    {
      name: 'an organization repository that does not exist',
      line: `org:${ORG} visibility=selected repositories=ghost`,
      says: `repository ${ORG}/ghost (listed in repositories=) does not exist`,
    },
  ])('plan with $name fails before any write', async ({ line, says }, { expect }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const before = mark(world);
      const run = await world.run({
        inputs: { mode: 'plan', destinations: `repo:${OWNER}/${REPO}\n${line}` },
      });
      expect(run.code).toBe(1);
      expect(unexpectedStderr(run.stderr)).toBe('');
      const errors = errorAnnotations(run.stdout);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain(says);
      expect(run.summary).toContain('## SFMC secret rotation (plan): Failed: ');
      expect(writesSince(world, before)).toEqual([]);
      expect(secretNames(world)).toEqual([[SECRET], [], []]);
      expectCleanRecord(expect, world);
    } finally {
      await world.stop();
    }
  });
});
