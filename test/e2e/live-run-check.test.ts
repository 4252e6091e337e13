// End to end: before putting the active secret back and staging again (the
// staged secret recorded in the state is not in hand), a run asks GitHub
// whether the run that staged it is still at work. A run that ended lets the
// rotation go on; when GitHub cannot say, the rotation goes on with a note.
// (A run still at work stops the other run: test/reliability/fault-cases.ts.)
// The rerun reads run 2001 twice: once when loading the state (where did this
// artifact come from?) and once right before it would undo that run's work.
import { describe, expect, it } from 'vitest';
import { World } from '../support/world.ts';

const RUN_ROUTE = 'GET /repos/:owner/:repo/actions/runs/:run_id';
const NOTE = 'Could not ask GitHub whether run 2001';

/** Run 2001 stages and is killed once it saved state `staged`; run 2002, without the escrow, takes over. */
async function takeOver(world: World) {
  // The save runs during the wait for the secret to become usable, kept long here so the
  // kill lands in it, however late, once the save is done.
  const delay = (e: { type: string }) => {
    if (e.type === 'generated') world.mc.delayUsable(world.clientId, 60_000);
  };
  world.mc.on('change', delay);
  const killed = await world.run({
    runId: 2001,
    killWhen: (line) => line.includes('Saved state (phase staged)'),
  });
  world.mc.off('change', delay);
  world.mc.restoreUsable(world.clientId);
  expect(killed.killed).toBe(true);
  expect(world.newestState()?.phase).toBe('staged');
  const rerun = await world.run({ runId: 2002, stagedFrom: 'none' });
  const asked = world.gh.server.log.filter((e) => e.route === RUN_ROUTE).map((e) => `${e.path} ${e.status}`);
  return { rerun, asked };
}

async function inWorld(body: (world: World) => Promise<void>): Promise<void> {
  const world = await World.create({ windowMs: 300 });
  try {
    await body(world);
    expect(world.leaks()).toEqual([]);
    expect(world.gh.validationFailures).toEqual([]);
  } finally {
    await world.stop();
  }
}

function expectRotated(world: World, run: { code: number | null; outputs: Record<string, string> }): void {
  expect(run.code).toBe(0);
  expect(run.outputs.rotated).toBe('true');
  expect(world.mc.history(world.clientId).map((e) => e.type)).toEqual([
    'generated',
    'generated',
    'activated',
  ]);
}

describe.concurrent('the run that staged', () => {
  it('has ended: the rerun puts the active secret back, stages again and rotates', () =>
    inWorld(async (world) => {
      const { rerun, asked } = await takeOver(world);
      expect(asked).toEqual([
        '/repos/octo/app/actions/runs/2001 200',
        '/repos/octo/app/actions/runs/2001 200',
      ]);
      expectRotated(world, rerun);
      expect(rerun.summary).not.toContain(NOTE);
    }));

  it('cannot be looked up (403): the rerun goes on and says it could not ask', () =>
    inWorld(async (world) => {
      // The state's provenance is read; the question "still at work?" that follows is refused.
      const arm = (entry: { route: string }) => {
        if (entry.route !== RUN_ROUTE) return;
        world.gh.server.off('request', arm);
        world.gh.server.faults.inject({
          route: RUN_ROUTE,
          mode: { kind: 'status', status: 403, body: { message: 'Resource not accessible by integration' } },
        });
      };
      world.gh.server.on('request', arm);
      const { rerun, asked } = await takeOver(world);
      expect(asked).toEqual([
        '/repos/octo/app/actions/runs/2001 200',
        '/repos/octo/app/actions/runs/2001 403',
      ]);
      expectRotated(world, rerun);
      expect(rerun.summary).toContain(NOTE);
    }));
});
