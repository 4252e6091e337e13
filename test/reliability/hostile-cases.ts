// Reliability cases for hostile state (issue 8): a forged state artifact,
// planted by a run of the repository, in each phase of a rotation where its
// word could matter. Whatever it claims, no run may cause an outage (the
// oracle), lose the only copy of a secret, block later runs or silence a
// due reminder; the rotation still completes.
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../../src/rotation/fingerprint.ts';
import type { RotationState } from '../../src/rotation/state.ts';
import { forgeFrom, plantState, stateOf } from '../support/forge.ts';
import type { WatchedDestination } from '../support/outage-oracle.ts';
import { firstError } from '../support/runner.ts';
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
import { runCase } from './report.ts';
import type { ReliabilityCase } from './types.ts';

const WINDOW_MS = 500;
const DAY_MS = 86_400_000;
const ALL_DONE = [`repo:${OWNER}/${REPO}`, ENV_DESTINATION, `org:${ORG}`];

const claimPublished = (s: RotationState): RotationState => ({
  ...s,
  phase: 'published',
  rotation: s.rotation && { ...s.rotation, publishedTo: ALL_DONE, publishedAt: new Date().toISOString() },
});
const claimActivated = (s: RotationState): RotationState => ({
  ...claimPublished(s),
  phase: 'activated',
  rotation: s.rotation && {
    ...s.rotation,
    publishedTo: ALL_DONE,
    activatedAt: new Date().toISOString(),
  },
});

/** A rotation record of a secret nobody holds, staged at `stagedAt`. */
function unknownRotation(stagedAt: Date): RotationState['rotation'] {
  return {
    stagedFingerprint: 'deadbeefdeadbeef',
    stagedAt: stagedAt.toISOString(),
    usableAt: stagedAt.toISOString(),
    expiresAt: new Date(stagedAt.getTime() + 180 * DAY_MS).toISOString(),
    escrowId: `repo:${OWNER}/${REPO}`,
    publishedTo: ALL_DONE,
    stagedByRun: 1,
  };
}

/** The destinations all hold one secret Marketing Cloud accepts, and no escrow is left. */
function settled(world: World, watched: readonly WatchedDestination[], rotated: boolean): string[] {
  const problems: string[] = [];
  const values = watched.map((d) => world.gh.secretValue(d.scope, d.name));
  if (values.some((v) => v !== values[0])) problems.push('the destinations hold different secrets');
  if (!world.mc.accepts(world.clientId, values[0] ?? ''))
    problems.push('Marketing Cloud rejects the destinations');
  if (rotated && values[0] === world.initialSecret) problems.push('the secret was not rotated');
  if (world.gh.secretValue(World.repoScope, STAGED) !== undefined)
    problems.push('the escrow secret was left');
  return problems;
}

const exited = (run: { code: number | null }, code: number, what: string, err: string): string[] =>
  run.code === code ? [] : [`${what} exited ${run.code}, not ${code}: ${err}`];

/** The API flow: a run stages (and stops), the state is forged, a second run must finish safely. */
function apiCase(phase: string, firstMode: 'stage' | 'auto', forge: (s: RotationState) => RotationState) {
  const name = `hostile: forged ${phase} after a ${firstMode} run stopped at staged`;
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const inputs = { destinations: THREE_DESTINATIONS, 'max-wait-seconds': '0' };
        const first = await world.run({ inputs: { ...inputs, mode: firstMode }, stagedFrom: 'none' });
        const problems = exited(first, 0, 'the first run', firstError(first));
        await forgeFrom(world, forge);
        await sleep(WINDOW_MS + 150);
        const second = await world.run({
          inputs: { ...inputs, mode: firstMode === 'stage' ? 'activate' : 'auto' },
        });
        problems.push(
          ...exited(second, 0, 'the second run', firstError(second)),
          ...settled(world, watched, true),
        );
        if (world.count('activated') !== 1) problems.push(`${world.count('activated')} activations`);
        return { problems };
      }),
  };
}

/** A state that contradicts Marketing Cloud: the run after a person rotated in Setup must not block. */
function blockingCase(what: string, phase: 'activated' | 'published', stagedAt: () => Date): ReliabilityCase {
  const name = `hostile: forged ${phase} of ${what}`;
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const { clientSecret } = world.mc.setupGenerate(world.clientId);
        // A careful person: the destinations get the new secret once it is usable, then it is activated.
        await sleep(WINDOW_MS + 100);
        for (const { scope } of watched) world.gh.seedSecret(scope, SECRET, clientSecret);
        world.mc.setupActivate(world.clientId);
        await plantState(world, stateOf(world, { phase, rotation: unknownRotation(stagedAt()) }));
        const run = await world.run({ inputs: { mode: 'auto', destinations: THREE_DESTINATIONS } });
        const problems = exited(run, 0, 'the run', firstError(run));
        if (!/set aside/.test(run.summary)) problems.push('the run did not say it set the state aside');
        if (world.count('generated') !== 1) problems.push('the run staged a secret nobody asked for');
        return { problems: [...problems, ...settled(world, watched, true)] };
      }),
  };
}

/** `management: setup`: a forged state must not silence the reminder nor have the person activate too early. */
function setupCases(): ReliabilityCase[] {
  const run = (world: World) =>
    world.run({
      inputs: {
        management: 'setup',
        mode: 'auto',
        destinations: THREE_DESTINATIONS,
        'max-wait-seconds': '5',
      },
      previousFrom: { scope: World.repoScope, name: `${SECRET}_PREVIOUS` },
    });
  const reminder = 'hostile: forged lastActivatedAt today (setup, idle)';
  const early = 'hostile: forged published before distribution (setup)';
  return [
    {
      name: reminder,
      run: () =>
        runCase(reminder, WINDOW_MS, async (world, watched) => {
          const today = new Date().toISOString();
          const fp = fingerprint(world.clientId, world.initialSecret);
          await plantState(
            world,
            stateOf(world, { lastActivatedAt: today, activeSecret: { fingerprint: fp, createdAt: today } }),
          );
          const result = await run(world);
          const problems = exited(result, 0, 'the run', firstError(result));
          if (!/::notice[^\n]*rotation of the Marketing Cloud secret is due/.test(result.stdout))
            problems.push('the due reminder did not come');
          return { problems: [...problems, ...settled(world, watched, false)] };
        }),
    },
    {
      name: early,
      run: () =>
        runCase(early, WINDOW_MS, async (world, watched) => {
          const { clientSecret } = world.mc.setupGenerate(world.clientId);
          world.gh.seedSecret(World.repoScope, STAGED, clientSecret);
          const now = new Date().toISOString();
          await plantState(
            world,
            stateOf(world, {
              phase: 'published',
              rotation: {
                stagedFingerprint: fingerprint(world.clientId, clientSecret),
                previousFingerprint: fingerprint(world.clientId, world.initialSecret),
                stagedAt: now,
                usableAt: now,
                expiresAt: new Date(Date.now() + 180 * DAY_MS).toISOString(),
                escrowId: `repo:${OWNER}/${REPO}`,
                publishedTo: ALL_DONE,
                publishedAt: now,
                stagedByRun: 1,
              },
            }),
          );
          const distribute = await run(world);
          const problems = exited(distribute, 0, 'the distributing run', firstError(distribute));
          // The person does what the run told them: activate (an outage if the destinations lack it).
          if (/Staged Secret → Activate/.test(distribute.summary)) world.mc.setupActivate(world.clientId);
          const confirm = await run(world);
          problems.push(...exited(confirm, 0, 'the confirming run', firstError(confirm)));
          if (confirm.outputs.rotated !== 'true') problems.push('the rotation was not confirmed');
          return { problems: [...problems, ...settled(world, watched, true)] };
        }),
    },
  ];
}

export function hostileCases(): ReliabilityCase[] {
  return [
    apiCase('published', 'stage', claimPublished),
    apiCase('published', 'auto', claimPublished),
    apiCase('activated', 'stage', claimActivated),
    apiCase('activated', 'auto', claimActivated),
    blockingCase('an unknown secret staged long ago', 'activated', () => new Date(Date.now() - 30 * DAY_MS)),
    blockingCase('a staging Marketing Cloud never made', 'published', () => new Date(Date.now() + 3_600_000)),
    ...setupCases(),
  ];
}
