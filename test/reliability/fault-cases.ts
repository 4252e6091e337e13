// Reliability cases for faults and overlapping runs: seeded transient faults
// on every route of both emulators (one `rotate` run, or a `stage` run then
// an `auto` run that loads the saved state), a permanent 403 on one
// destination, two runs of one client at once (with and without a
// concurrency group), and two clients of one tenant at once. Each case checks
// the invariants of DESIGN.md (no outage, at most one activation per staged
// secret, no needless re-stage, no leak) and reports the retries the action
// logged.
import type { FaultMode } from '../emulators/common/server.ts';
import { ERROR_CODES, MC_ROUTES, restError } from '../emulators/marketing-cloud/index.ts';
import { OutageOracle, type WatchedDestination } from '../support/outage-oracle.ts';
import { errorAnnotations, firstError } from '../support/runner.ts';
import {
  ENV_DESTINATION,
  OWNER,
  REPO,
  SECRET,
  STAGED,
  THREE_DESTINATIONS,
  type WorkflowRun,
  World,
} from '../support/world.ts';
import { runCase } from './report.ts';
import type { ReliabilityCase } from './types.ts';

const WINDOW_MS = 500;

/** The artifact service (Twirp and blob storage) that @actions/artifact talks to. */
const ARTIFACT_SERVICE = /^(?:POST \/twirp\/|(?:GET|PUT) \/artifactstore\/)/;
/** Every other GitHub route: the REST API our adapters call. */
const GITHUB_REST = /^(?!POST \/twirp\/|(?:GET|PUT) \/artifactstore\/)/;

/** Probability of a fault on each call to a REST route or to Marketing Cloud. */
const FAULT_PROBABILITY = 0.2;
/**
 * Probability of each of a 503 and a reset on the artifact service: kept
 * small because @actions/artifact waits 3 s and more before each of its own
 * Twirp retries (and a blob 429 is not a fault Azure storage ever sends).
 */
const ARTIFACT_FAULT_PROBABILITY = 0.02;

export const TRANSIENT_KINDS = ['5xx', '429', 'secondary-rate-limit', 'reset', 'mixed'] as const;
export type TransientKind = (typeof TRANSIENT_KINDS)[number];
type BasicKind = Exclude<TransientKind, 'mixed'>;
const BASIC_KINDS: BasicKind[] = ['5xx', '429', 'secondary-rate-limit', 'reset'];
const SERVER_ERRORS = [500, 502, 503, 504];

const MC_THROTTLED: FaultMode = {
  kind: 'status',
  status: 429,
  retryAfter: 1,
  body: restError('Too many requests: general throttling.', ERROR_CODES.throttled),
};

/** How often a fault strikes: seeded, `probability` per call; or the first `times` calls. */
type Strikes = { probability: number; seed: number } | { times: number; seed: number };

/** Injects faults of one kind on the GitHub REST routes and on Marketing Cloud. */
function injectKind(world: World, kind: BasicKind, strikes: Strikes): void {
  const { seed } = strikes;
  const gh = (mode: FaultMode) => world.gh.server.faults.inject({ route: GITHUB_REST, mode, ...strikes });
  const mc = (mode: FaultMode) => world.mc.server.faults.inject({ mode, ...strikes, seed: seed + 1 });
  switch (kind) {
    case '5xx': {
      const mode: FaultMode = { kind: 'status', status: SERVER_ERRORS[seed % SERVER_ERRORS.length] ?? 503 };
      gh(mode);
      mc(mode);
      return;
    }
    case '429':
      gh({ kind: 'status', status: 429, retryAfter: 1 });
      mc(MC_THROTTLED);
      return;
    case 'secondary-rate-limit':
      world.gh.secondaryRateLimit({
        route: GITHUB_REST,
        ...strikes,
        retryAfter: 1,
        status: seed % 2 === 0 ? 403 : 429,
      });
      // Marketing Cloud has no secondary limit; its general throttling is the nearest thing.
      mc(MC_THROTTLED);
      return;
    case 'reset':
      gh({ kind: 'reset' });
      mc({ kind: 'reset' });
  }
}

/**
 * Seeded faults of a kind on both emulators: FAULT_PROBABILITY per call in
 * all (`mixed` splits it evenly over the four kinds), plus rare 503s and
 * resets on the artifact service.
 */
export function injectTransientFaults(world: World, kind: TransientKind, seed: number): void {
  if (kind === 'mixed') {
    // Four independent chances p with 1 - (1 - p)^4 = FAULT_PROBABILITY.
    const p = 1 - (1 - FAULT_PROBABILITY) ** (1 / BASIC_KINDS.length);
    BASIC_KINDS.forEach((basic, i) => {
      injectKind(world, basic, { probability: p, seed: seed * 16 + i * 2 });
    });
  } else {
    injectKind(world, kind, { probability: FAULT_PROBABILITY, seed: seed * 16 });
  }
  // Whatever the seed draws, each service's first call meets the fault: every case rides one out.
  injectKind(world, kind === 'mixed' ? (BASIC_KINDS[seed % BASIC_KINDS.length] ?? '5xx') : kind, {
    times: 1,
    seed,
  });
  for (const [i, mode] of [{ kind: 'status', status: 503 }, { kind: 'reset' }].entries()) {
    world.gh.server.faults.inject({
      route: ARTIFACT_SERVICE,
      mode: mode as FaultMode,
      probability: ARTIFACT_FAULT_PROBABILITY,
      seed: seed * 16 + 10 + i,
    });
  }
}

const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

/** What must hold once one rotation of the world's client is complete. */
function rotationComplete(world: World, watched: readonly WatchedDestination[]): string[] {
  const problems: string[] = [];
  const values = watched.map((d) => world.gh.secretValue(d.scope, d.name));
  const fresh = values[0];
  if (fresh === undefined || fresh === world.initialSecret) problems.push('the secret was not rotated');
  if (values.some((v) => v !== fresh)) problems.push('the destinations do not all hold the new secret');
  if (fresh !== undefined && !world.mc.accepts(world.clientId, fresh))
    problems.push('Marketing Cloud rejects the delivered secret');
  if (world.gh.secretValue(World.repoScope, STAGED) !== undefined)
    problems.push('the escrow secret was left behind');
  const unsettled = fresh === undefined ? undefined : world.stateUnsettled(fresh);
  if (unsettled) problems.push(unsettled);
  const activations = world.count('activated');
  if (activations !== 1) problems.push(`${activations} activations`);
  return problems;
}

/** A re-stage is fine only when the run said why (the plan in its summary names it). */
function restageProblems(world: World): { problems: string[]; note?: string } {
  const generated = world.count('generated');
  if (generated <= 1) return { problems: [] };
  const why = world.runs.map((r) => /re-stage: [^)\n]*/.exec(r.summary)?.[0]).find(Boolean);
  return why
    ? { problems: [], note: why }
    : { problems: [`${generated} generations and no re-stage explained`] };
}

/** Runs a case in a fresh world whose three destinations hold the initial secret, the oracle watching them. */
/**
 * How a transient case rotates: in one `rotate` run, or staged by a `stage`
 * run and finished by an `auto` run that loads the saved state.
 */
const FLOWS = [['rotate'], ['stage', 'auto']] as const;

function transientCase(seed: number): ReliabilityCase {
  const kind = TRANSIENT_KINDS[seed % TRANSIENT_KINDS.length] ?? 'mixed';
  const modes = FLOWS[seed % FLOWS.length] ?? FLOWS[0];
  const name = `transient ${kind} seed ${seed} (${modes.join(', then ')})`;
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        injectTransientFaults(world, kind, seed);
        const problems: string[] = [];
        for (const mode of modes) {
          const run = await world.run({ inputs: { mode, destinations: THREE_DESTINATIONS } });
          if (run.code !== 0) problems.push(`the ${mode} run exited ${run.code}: ${firstError(run)}`);
        }
        const unloaded = world.runs.map(
          (r) => /State: [^\n]*could not be downloaded[^\n]*/.exec(r.summary)?.[0],
        );
        problems.push(...unloaded.filter((note) => note !== undefined));
        problems.push(...rotationComplete(world, watched));
        const restage = restageProblems(world);
        const gh = world.gh.server.faults.injected;
        const mc = world.mc.server.faults.injected;
        const injected = `${sum(gh) + sum(mc)} faults injected (GitHub ${sum(gh)}, Marketing Cloud ${sum(mc)})`;
        return {
          problems: [...problems, ...restage.problems],
          note: [injected, restage.note].filter(Boolean).join('; '),
        };
      }),
  };
}

const ENV_PUT = 'PUT /repos/:owner/:repo/environments/:environment/secrets/:name';

/** A 403 on one destination: the run stops before activation; once access is fixed a rerun finishes without re-staging. */
function permanentFaultCase(): ReliabilityCase {
  const name = `permanent 403 on ${ENV_DESTINATION}, then rerun`;
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const problems: string[] = [];
        const fault = world.gh.server.faults.inject({
          route: ENV_PUT,
          mode: { kind: 'status', status: 403, body: { message: 'Resource not accessible by integration' } },
          times: 100,
        });
        const failed = await world.run({ inputs: { destinations: THREE_DESTINATIONS } });
        const error = firstError(failed);
        if (failed.code !== 1) problems.push(`the first run exited ${failed.code}, not 1`);
        if (!error.includes(ENV_DESTINATION))
          problems.push(`its error does not name ${ENV_DESTINATION}: ${error}`);
        if (world.mc.history(world.clientId).some((e) => e.type === 'activated'))
          problems.push('the first run activated although a destination was not written');
        fault.clear();
        const rerun = await world.run({ inputs: { destinations: THREE_DESTINATIONS } });
        if (rerun.code !== 0) problems.push(`the rerun exited ${rerun.code}: ${firstError(rerun)}`);
        problems.push(...rotationComplete(world, watched));
        if (world.count('generated') !== 1)
          problems.push(`${world.count('generated')} generations: the rerun re-staged`);
        return { problems, note: `first run: ${error}` };
      }),
  };
}

/** The transient-fault sweep (seeds `seed` … `seed + sweep - 1`) and the permanent fault. */
export function faultCases(options: { sweep: number; seed?: number }): ReliabilityCase[] {
  const first = options.seed ?? 1;
  return [...Array.from({ length: options.sweep }, (_, i) => transientCase(first + i)), permanentFaultCase()];
}

/** A loser's error must say another run is at work, or that this run was queued behind one. */
const CLEAR_LOSS = /another run|queued/i;

/** Starts `second` on the first escrow write of the world's client (or once `first` ended without one). */
function onEscrow(
  world: World,
  first: Promise<unknown>,
  second: () => Promise<WorkflowRun>,
): Promise<WorkflowRun> {
  return new Promise<void>((resolve) => {
    const listener = (e: { name: string; action: string }) => {
      if (e.name !== STAGED || e.action !== 'put') return;
      world.gh.off('secret-write', listener);
      resolve();
    };
    world.gh.on('secret-write', listener);
    void first.finally(resolve);
  }).then(second);
}

/** What overlapping runs of one client must leave: one rotation, and a clear word from any run that stopped. */
function overlapProblems(world: World, watched: WatchedDestination[], runs: WorkflowRun[]): string[] {
  const problems = rotationComplete(world, watched);
  if (world.count('generated') !== 1)
    problems.push(`${world.count('generated')} generations: a second rotation`);
  if (!runs.some((r) => r.code === 0 && r.outputs.rotated === 'true')) problems.push('no run rotated');
  for (const r of runs.filter((run) => run.code !== 0)) {
    if (!CLEAR_LOSS.test(firstError(r))) problems.push(`run ${r.runId} failed unclearly: ${firstError(r)}`);
  }
  return problems;
}

const outcomes = (runs: WorkflowRun[]): string =>
  runs
    .map((r) => `run ${r.runId}: ${r.code === 0 ? `exit 0, ${r.outputs.phase}` : firstError(r)}`)
    .join(' | ');

/** The run stopped with a `concurrency` error naming the run at work. */
const stoppedFor = (run: WorkflowRun, other: number): boolean =>
  errorAnnotations(run.stdout).some(
    (a) =>
      a.title === 'sfmc-secret-rotation: concurrency' && new RegExp(`\\brun ${other}\\b`).test(a.message),
  );

/**
 * When both overlapping runs stopped short of a rotation (each left it to
 * the other), a third run, scheduled later, finishes it: allowed, and
 * reported in the note.
 */
async function finishIfNeeded(
  world: World,
  watched: WatchedDestination[],
  runs: WorkflowRun[],
  inputs: Record<string, string>,
): Promise<WorkflowRun[]> {
  if (rotationComplete(world, watched).length === 0) return runs;
  return [...runs, await world.run({ runId: 2003, inputs })];
}

/** The platform window of the together cases: the second of two generations answered together waits it out. */
const TOGETHER_WINDOW_MS = 2000;

/** Opens once each of `parties` has arrived (each arrives once, however often it calls). */
function barrier(parties: number): { arrival(): () => void; opened: Promise<void> } {
  let left = parties;
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    arrival: () => {
      let arrived = false;
      return () => {
        if (arrived) return;
        arrived = true;
        left -= 1;
        if (left === 0) open();
      };
    },
    opened,
  };
}

/**
 * Two `auto` runs of one client started together (the second `offsetMs`
 * later), no concurrency group. The first two generation requests are held
 * until each run has reached its stage step or ended, which makes "together"
 * exact however slowly the processes are scheduled: both runs find nothing
 * staged and set out to stage (or one stops first), before either stages.
 */
function sameClientTogether(offsetMs: number): ReliabilityCase {
  const name = `same client, two runs started together (${offsetMs} ms apart), no concurrency group`;
  return {
    name,
    run: () =>
      runCase(name, TOGETHER_WINDOW_MS, async (world, watched) => {
        const both = barrier(2);
        world.mc.server.faults.inject({
          route: MC_ROUTES.stage,
          mode: { kind: 'hold', until: both.opened },
          times: 2,
        });
        const inputs = { mode: 'auto', destinations: THREE_DESTINATIONS };
        const start = (runId: number): Promise<WorkflowRun> => {
          const arrive = both.arrival();
          const onLine = (line: string) => {
            if (line.startsWith('[stage]')) arrive();
          };
          return world.run({ runId, inputs, onLine }).finally(arrive);
        };
        const together = await Promise.all([
          start(2001),
          new Promise((r) => setTimeout(r, offsetMs)).then(() => start(2002)),
        ]);
        const runs = await finishIfNeeded(world, watched, together, inputs);
        return { problems: overlapProblems(world, watched, runs), note: outcomes(runs) };
      }),
  };
}

/** Holds the first activation Marketing Cloud receives until the returned function is called. */
function holdFirstActivation(world: World): () => void {
  const gate = barrier(1);
  world.mc.server.faults.inject({
    route: MC_ROUTES.activate,
    mode: { kind: 'hold', until: gate.opened },
    times: 1,
  });
  return gate.arrival();
}

/**
 * The second run starts once the first has escrowed its staged secret, so it
 * receives it, no concurrency group. The first run's activation waits until
 * the second has ended its preflight (or ended): however slowly either is
 * scheduled, the second decides while the staging is still escrowed, then
 * both race to activate.
 */
function sameClientAfterEscrow(): ReliabilityCase {
  const name = 'same client, second run started after the first escrowed, no concurrency group';
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const release = holdFirstActivation(world);
        const inputs = { mode: 'auto', destinations: THREE_DESTINATIONS };
        const first = world.run({ runId: 2001, inputs });
        const second = onEscrow(world, first, () =>
          world
            .run({
              runId: 2002,
              inputs,
              // Any step line after preflight: the second run has decided.
              onLine: (line) => {
                if (/^\[(?!load\]|preflight\])[a-z-]+\] /.test(line)) release();
              },
            })
            .finally(release),
        );
        const runs = await Promise.all([first, second]);
        const problems = overlapProblems(world, watched, runs);
        // Holding the escrow, the second run finishes the same rotation (or finds it done).
        if (runs.some((r) => r.code !== 0)) problems.push('a run that held the staged secret stopped');
        return { problems, note: outcomes(runs) };
      }),
  };
}

/**
 * The gap a live-run check closes: the second run was queued (so received
 * its secrets) before the first escrowed its staged secret, and starts while
 * the first activates (held until the second has ended, so the second
 * decides meanwhile however slowly it is scheduled). The state
 * records a published staging it does not hold; putting the active secret
 * back and staging again would overwrite what the first run published just
 * before it is activated: an outage. It must stop, naming the first run.
 */
function sameClientQueuedBeforeEscrow(): ReliabilityCase {
  const name =
    'same client, second run queued before the first escrowed, started while it activates, no concurrency group';
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const release = holdFirstActivation(world);
        const inputs = { mode: 'auto', destinations: THREE_DESTINATIONS };
        // What GitHub handed the second run when it was queued: no escrow yet.
        const queued = { ...inputs, 'client-secret': world.initialSecret, 'staged-client-secret': '' };
        let second: Promise<WorkflowRun> | undefined;
        const first = await world.run({
          runId: 2001,
          inputs,
          onLine: (line) => {
            if (line.startsWith('[activate]'))
              second ??= world.run({ runId: 2002, inputs: queued }).finally(release);
          },
        });
        const runs = [first, ...(second ? [await second] : [])];
        const problems = overlapProblems(world, watched, runs);
        const loser = runs[1];
        if (!loser) problems.push('the first run never reached activate');
        else if (!stoppedFor(loser, 2001))
          problems.push(`the second run did not stop naming run 2001 as at work: ${outcomes([loser])}`);
        return { problems, note: outcomes(runs) };
      }),
  };
}

/**
 * What `concurrency:` does: the second run starts when the first has ended.
 * GitHub reads repository secrets when a run is queued, so a run queued
 * behind the rotation holds the replaced secret; an environment secret is
 * read when the job starts, so the run then holds the new one.
 */
function sameClientInGroup(secrets: 'queued' | 'at-start'): ReliabilityCase {
  const name = `same client, concurrency group, second run reads secrets ${secrets === 'queued' ? 'when queued' : 'when it starts'}`;
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const inputs = { mode: 'auto', destinations: THREE_DESTINATIONS };
        // Both runs are queued now; the second waits for the first.
        const queued = { 'client-secret': world.initialSecret, 'staged-client-secret': '' };
        const first = await world.run({ runId: 2001, inputs });
        const delivered = world.gh.secretValue(World.repoScope, SECRET);
        const second = await world.run({
          runId: 2002,
          inputs: secrets === 'queued' ? { ...inputs, ...queued } : inputs,
        });
        const problems = rotationComplete(world, watched);
        if (first.code !== 0) problems.push(`the first run exited ${first.code}: ${firstError(first)}`);
        if (world.count('generated') !== 1)
          problems.push(`${world.count('generated')} generations: a second rotation`);
        if (world.gh.secretValue(World.repoScope, SECRET) !== delivered)
          problems.push('the second run changed the destinations');
        // The queued run holds the replaced secret: it must see the rotation done, say by which run, and succeed.
        if (
          secrets === 'queued' &&
          !(
            second.code === 0 &&
            second.outputs.rotated === 'false' &&
            second.summary.includes(`run ${first.runId} rotated`)
          )
        )
          problems.push(
            `the queued run did not report run ${first.runId}'s rotation and succeed: ${firstError(second)}`,
          );
        if (secrets === 'at-start' && !(second.code === 0 && second.outputs.rotated === 'false'))
          problems.push(`the second run did not find the rotation done: ${firstError(second)}`);
        const note =
          second.code === 0
            ? (second.summary.match(/Nothing to do[^\n]*/)?.[0] ?? 'no rotation due')
            : firstError(second);
        return { problems, note: `second run: ${note}` };
      }),
  };
}

const OTHER = 'SFMC_OTHER_SECRET';

/** Two packages of one tenant, each rotated by its own run, both started at once. */
function differentClientsTogether(): ReliabilityCase {
  const name = 'two clients of one tenant, two runs started together';
  return {
    name,
    run: () =>
      runCase(name, WINDOW_MS, async (world, watched) => {
        const other = world.mc.addPackage({
          admin: true,
          activeCreatedAt: new Date(Date.now() - 160 * 86_400_000),
        });
        world.gh.seedSecret(World.repoScope, OTHER, other.clientSecret);
        const otherDestination = {
          id: `repo:${OWNER}/${REPO} name=${OTHER}`,
          scope: World.repoScope,
          name: OTHER,
        };
        const oracle = new OutageOracle(world.mc, world.gh, other.clientId, [otherDestination]);
        const [first, second] = await Promise.all([
          world.run({ runId: 3001, inputs: { destinations: THREE_DESTINATIONS } }),
          world.run({
            runId: 3002,
            inputs: {
              'client-id': other.clientId,
              'secret-name': OTHER,
              destinations: `repo:${OWNER}/${REPO}`,
            },
            clientSecretFrom: { scope: World.repoScope, name: OTHER },
            stagedFrom: { scope: World.repoScope, name: `${OTHER}_STAGED` },
          }),
        ]).finally(() => oracle.stop());
        const problems = rotationComplete(world, watched);
        for (const run of [first, second]) {
          if (run.code !== 0) problems.push(`run ${run.runId} exited ${run.code}: ${firstError(run)}`);
        }
        const delivered = world.gh.secretValue(World.repoScope, OTHER);
        if (
          delivered === undefined ||
          delivered === other.clientSecret ||
          !world.mc.accepts(other.clientId, delivered)
        )
          problems.push(`${OTHER} was not rotated`);
        const history = world.mc.history(other.clientId).map((e) => e.type);
        if (history.join() !== 'generated,activated')
          problems.push(`the second client's history: ${history.join()}`);
        if (world.gh.secretValue(World.repoScope, `${OTHER}_STAGED`) !== undefined)
          problems.push(`${OTHER}_STAGED was left behind`);
        problems.push(...oracle.violations.map((v) => `outage at ${v.destination} after ${v.trigger}`));
        return { problems, note: 'both clients rotated, each once' };
      }),
  };
}

/**
 * Overlapping runs: of one client (started together, at `offsetsMs` apart;
 * the second queued before the first escrowed and started while it
 * activates; the second started once the first escrowed; or serialised by a
 * concurrency group), and of two clients at once.
 */
export function concurrencyCases(options: { offsetsMs?: number[] } = {}): ReliabilityCase[] {
  return [
    ...(options.offsetsMs ?? [0, 150, 400, 1000]).map(sameClientTogether),
    sameClientQueuedBeforeEscrow(),
    sameClientAfterEscrow(),
    sameClientInGroup('queued'),
    sameClientInGroup('at-start'),
    differentClientsTogether(),
  ];
}
