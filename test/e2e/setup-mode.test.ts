// `management: setup`: a person stages and activates in Setup (here: calls to
// the Marketing Cloud emulator made by the test between runs); the action
// reminds, distributes, and confirms. End to end through dist/index.js.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import { OWNER, REPO, SECRET, THREE_DESTINATIONS, type WorkflowRunOptions, World } from '../support/world.ts';

const WINDOW_MS = 800;
const destinations = THREE_DESTINATIONS;

let world: World;
let watched: WatchedDestination[];
let oracle: OutageOracle | undefined;
beforeEach(async () => {
  world = await World.create({ windowMs: WINDOW_MS });
  // Every destination starts with the active secret.
  watched = world.seedThreeDestinations();
});
afterEach(async () => {
  oracle?.stop();
  expect(oracle?.violations ?? []).toEqual([]);
  oracle = undefined;
  expect(world.leaks()).toEqual([]);
  expect(world.gh.validationFailures).toEqual([]);
  await world.stop();
});

/** What a person does in Setup and in the GitHub UI (or `gh secret set`). */
function personStagesAndEscrows(): string {
  const { clientSecret } = world.mc.setupGenerate(world.clientId, 'generated in Setup');
  world.gh.seedSecret(World.repoScope, `${SECRET}_STAGED`, clientSecret);
  return clientSecret;
}

const run = (mode = 'auto', extra: Record<string, string> = {}, options: Partial<WorkflowRunOptions> = {}) =>
  world.run({
    ...options,
    inputs: {
      management: 'setup',
      'management-url': undefined,
      mode,
      destinations,
      'max-wait-seconds': '10',
      ...extra,
    },
    previousFrom: { scope: World.repoScope, name: `${SECRET}_PREVIOUS` },
  });
const secretChanges = () => world.gh.server.writes().filter((e) => e.path.includes('/secrets/')).length;
const activations = () => world.count('activated');

describe('management: setup', () => {
  it('reminds, distributes, waits for the person to activate, then confirms', async () => {
    const old = world.initialSecret;
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);

    const reminder = await run();
    expect(reminder.code).toBe(0);
    expect(reminder.stdout).toMatch(/::notice[^\n]*Staged Secret → Generate/);
    expect(reminder.summary).toContain(`${SECRET}_STAGED`);
    expect(secretChanges()).toBe(0);

    const fresh = personStagesAndEscrows();
    const distribute = await run();
    expect(distribute.code).toBe(0);
    expect(distribute.outputs.phase).toBe('published');
    expect(distribute.stdout).toMatch(/::notice[^\n]*Activate/);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(fresh);
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_PREVIOUS`)).toBe(old);
    expect(activations()).toBe(0);

    // Not activated yet: the next run reminds again and changes nothing.
    const before = secretChanges();
    const waiting = await run();
    expect(waiting.code).toBe(0);
    expect(waiting.outputs.phase).toBe('published');
    expect(waiting.stdout).toMatch(/::notice[^\n]*still accepted/);
    // Every secret input is masked before the run does anything; here previous-client-secret holds the old one.
    expect(waiting.stdout.slice(0, waiting.stdout.indexOf('[load] '))).toContain(`::add-mask::${old}`);
    expect(secretChanges()).toBe(before);

    world.mc.setupActivate(world.clientId);
    const confirm = await run();
    expect(confirm.code).toBe(0);
    expect(confirm.outputs.rotated).toBe('true');
    expect(confirm.outputs.phase).toBe('idle');
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeUndefined();
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_PREVIOUS`)).toBeUndefined();
    expect(world.mc.accepts(world.clientId, fresh)).toBe(true);
    expect(world.mc.accepts(world.clientId, old)).toBe(false);
    expect(world.newestState()?.history).toHaveLength(1);
  });

  it('notices an activation made before the destinations were written and writes them at once', async () => {
    const fresh = personStagesAndEscrows();
    await sleep(WINDOW_MS + 100);
    world.mc.setupActivate(world.clientId);
    // The person's early click left every destination with a rejected secret.
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);

    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/::warning[^\n]*hold a rejected secret/);
    expect(result.summary).toContain(`repo:${OWNER}/${REPO}`);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(fresh);
    expect(result.outputs.rotated).toBe('true');
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`)).toBeUndefined();
  });

  it('writes every destination when a distribution stopped half way and the person then activated and deleted the escrow', async () => {
    // The destinations were last written by the rotation before, long ago (a write within a minute of the staging would count as since it).
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    for (const { scope } of watched)
      world.gh.seedSecret(scope, SECRET, world.initialSecret, { updatedAt: longAgo });
    const fresh = personStagesAndEscrows();
    await sleep(WINDOW_MS + 100);
    // The distribution writes the repository secret, then its runner dies; the others never got the secret.
    const held = [
      'PUT /repos/:owner/:repo/environments/:environment/secrets/:name',
      'PUT /orgs/:org/actions/secrets/:name',
    ].map((route) =>
      world.gh.server.faults.inject({
        route,
        mode: { kind: 'status', status: 503, body: { message: 'Service Unavailable' } },
        times: 1000,
      }),
    );
    let killNow = () => {};
    const onWrite = (e: { name: string; action: string }) => {
      if (e.name === SECRET && e.action === 'put') killNow();
    };
    world.gh.on('secret-write', onWrite);
    const killed = await run('auto', {}, { kill: (k) => (killNow = k) });
    world.gh.off('secret-write', onWrite);
    for (const fault of held) fault.clear();
    expect(killed.killed).toBe(true);
    expect(watched.map(({ scope }) => world.gh.secretValue(scope, SECRET) === fresh)).toEqual([
      true,
      false,
      false,
    ]);

    // Without waiting for the action, the person activates and deletes the escrow; client-secret comes from the repository.
    world.mc.setupActivate(world.clientId);
    world.gh.removeSecret(World.repoScope, `${SECRET}_STAGED`);
    const after = await run();
    expect(after.code).toBe(0);
    // GitHub's word names the two that did not hold it.
    expect(after.stdout).toContain(`written now: ${watched[1]?.id}, org:`);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(fresh);
    // The old secret, rejected, shows the activation: confirmed at once.
    expect(after.outputs.rotated).toBe('true');
    expect(world.gh.secretValue(World.repoScope, `${SECRET}_PREVIOUS`)).toBeUndefined();
  });

  it('reports a staged secret replaced by a second generation and overwrites nothing', async () => {
    personStagesAndEscrows();
    await sleep(WINDOW_MS + 100);
    // The person generates again: the escrowed secret stops working.
    world.mc.setupGenerate(world.clientId);
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);

    const result = await run('auto', { 'max-wait-seconds': '2' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error[^\n]*is not accepted by the token endpoint/);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(world.initialSecret);
    expect(secretChanges()).toBe(0);
  });

  it('puts the active secret back when the distributed secret is replaced before activation', async () => {
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);
    personStagesAndEscrows();
    expect((await run()).outputs.phase).toBe('published');
    oracle.stop();
    await sleep(WINDOW_MS + 100);
    // A second generation in Setup kills the distributed secret: an outage the person caused.
    world.mc.setupGenerate(world.clientId);
    oracle = new OutageOracle(world.mc, world.gh, world.clientId, watched);

    const result = await run();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error[^\n]*previous secret, still active, was put back/);
    for (const { scope } of watched) expect(world.gh.secretValue(scope, SECRET)).toBe(world.initialSecret);
    expect(world.newestState()?.phase).toBe('idle');
  });

  it('reminds when due and the escrow secret is missing', async () => {
    const result = await run('auto');
    expect(result.code).toBe(0);
    expect(result.outputs.phase).toBe('idle');
    expect(result.outputs.rotated).toBe('false');
    expect(result.stdout).toMatch(/::notice[^\n]*rotation of the Marketing Cloud secret is due/);
    expect(secretChanges()).toBe(0);
  });

  it('does not remind when the secret is not due', async () => {
    const result = await run('auto', { 'rotate-after-days': '170' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/::notice/);
    expect(result.outputs['next-rotation-at']).toMatch(/^\d{4}-/);
  });

  it('opens one reminder issue, updates it on later runs, and closes it when the rotation is confirmed', async () => {
    const inputs = { 'reminder-issue': 'true' };
    const issues = () => world.gh.issues(OWNER, REPO);
    expect((await run('auto', inputs)).code).toBe(0);
    expect(issues()).toHaveLength(1);
    expect(issues()[0]).toMatchObject({ state: 'open', labels: ['sfmc-secret-rotation'] });
    expect(issues()[0]?.body).toContain(`${SECRET}_STAGED`);

    expect((await run('auto', inputs)).code).toBe(0);
    expect(issues()).toHaveLength(1);

    personStagesAndEscrows();
    expect((await run('auto', inputs)).outputs.phase).toBe('published');
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.title).toMatch(/^Activate/);
    expect(issues()[0]?.state).toBe('open');

    world.mc.setupActivate(world.clientId);
    const confirm = await run('auto', inputs);
    expect(confirm.outputs.rotated).toBe('true');
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.state).toBe('closed');
    expect(issues()[0]?.comments.join('\n')).toMatch(/Rotation confirmed/);
  });
});
