// The crash-point matrix: dist/index.js is killed with SIGKILL at step
// boundaries, inside waits, in the middle of publishing, on Marketing Cloud
// events and at fixed times, in the one-job `rotate` flow and in the two-job
// `stage`/`activate` flow; optionally the state artifact is lost before the
// rerun. Fresh runs then continue until the rotation is complete, and every
// case checks the invariants of DESIGN.md along the way.
import { zipSync } from 'fflate';
import type { SecretScope } from '../emulators/github/index.ts';
import { ERROR_CODES, MC_ROUTES, restError } from '../emulators/marketing-cloud/index.ts';
import type { WatchedDestination } from '../support/outage-oracle.ts';
import { firstError } from '../support/runner.ts';
import {
  ENV_DESTINATION,
  OWNER,
  REPO,
  SECRET,
  type SecretSource,
  STAGED,
  THREE_DESTINATIONS,
  type WorkflowRunOptions,
  World,
} from '../support/world.ts';
import { type CaseOutcome, runCase } from './report.ts';
import type { ReliabilityCase } from './types.ts';

/** Short enough to keep each case to seconds; long enough for a run to reach every step inside one window. */
export const WINDOW_MS = 600;
/**
 * How long after a run starts or generates it the staged secret becomes usable, in the cases killed inside
 * that wait: far longer than a loaded machine takes to reach the wait, and well within the cases'
 * max-wait-seconds (60 s).
 * The delay is undone once the run was killed, so the reruns wait only for the platform's own window.
 */
const USABLE_DELAY_MS = 12_000;
/** The runs after the killed one that may be needed to finish the rotation. */
const FURTHER_RUNS = 2;
/** Server-side route names of the secret PUTs, for holding a destination back with faults. */
const PUT_ROUTE = {
  repo: 'PUT /repos/:owner/:repo/actions/secrets/:name',
  env: 'PUT /repos/:owner/:repo/environments/:environment/secrets/:name',
  org: 'PUT /orgs/:org/actions/secrets/:name',
} as const;
type Target = keyof typeof PUT_ROUTE;

const SCOPE: Record<Target, SecretScope> = {
  repo: World.repoScope,
  env: World.envScope,
  org: World.orgScope,
};

type Flow = 'rotate' | 'two-job';
type Job = 'rotate' | 'stage' | 'activate';

/** Where the kill happens within a run. */
export type KillPoint =
  /** A stdout line matches (a step marker). */
  | { on: 'line'; match: RegExp }
  /**
   * Inside the wait for the staged secret to become usable (sleeping or polling),
   * `afterMs` after its step line. The secret becomes usable only USABLE_DELAY_MS
   * after the run starts or generates it, so the wait is there however slow the machine.
   */
  | { on: 'waiting'; afterMs: number }
  /** The k-th write of the secret to a destination; the `held` destinations answer 503 meanwhile. */
  | { on: 'put'; count: number; held: Target[] }
  /** The escrow PUT arrives and its connection is reset: it is never stored. */
  | { on: 'escrow-lost' }
  /** The escrow secret was just written, or just deleted. */
  | { on: 'escrow'; action: 'put' | 'delete' }
  /** Marketing Cloud throttles the stage call (429, Retry-After 2 s); killed while the action waits to retry. */
  | { on: 'stage-throttled' }
  /** Marketing Cloud just generated or activated a secret (the action never sees the answer). */
  | { on: 'marketing-cloud'; type: 'generated' | 'activated' }
  /**
   * The action's count-th request to either emulator was answered: points
   * spread through the run by its own progress, not the machine's speed.
   */
  | { on: 'request'; count: number };

export interface Kill {
  job: Job;
  at: KillPoint;
}

export interface CrashCaseSpec {
  name: string;
  flow: Flow;
  /** kills[i] applies to the i-th workflow run. */
  kills: Kill[];
  /** What happens to the state artifacts before the first rerun. */
  damage?: 'missing' | 'expired' | 'corrupt';
  /** Input sources of the resuming job in reruns, when not the workflow's usual wiring. */
  rerun?: { clientSecretFrom?: SecretSource; stagedFrom?: SecretSource };
  /** Reruns are re-run attempts of the same workflow run (failed jobs only) instead of fresh runs. */
  sameRun?: boolean;
}

interface JobWiring {
  inputs: Record<string, string>;
  clientSecretFrom: SecretSource;
  stagedFrom: SecretSource;
}

/**
 * The inputs a workflow gives each job. The stage job has no environment, so
 * it cannot read the escrow kept there; the activate job runs in the
 * environment, where its secrets shadow repository ones of the same name.
 */
function wiring(job: Job): JobWiring {
  const common = { destinations: THREE_DESTINATIONS, 'max-wait-seconds': '60' };
  switch (job) {
    case 'rotate':
      return {
        inputs: { ...common, mode: 'rotate' },
        clientSecretFrom: { scope: World.repoScope, name: SECRET },
        stagedFrom: { scope: World.repoScope, name: STAGED },
      };
    case 'stage':
      return {
        inputs: { ...common, mode: 'stage', escrow: ENV_DESTINATION },
        clientSecretFrom: { scope: World.repoScope, name: SECRET },
        stagedFrom: 'none',
      };
    case 'activate':
      return {
        inputs: { ...common, mode: 'activate', escrow: ENV_DESTINATION },
        clientSecretFrom: { scope: World.envScope, name: SECRET },
        stagedFrom: { scope: World.envScope, name: STAGED },
      };
  }
}

const jobsOf = (flow: Flow): Job[] => (flow === 'rotate' ? ['rotate'] : ['stage', 'activate']);
const escrowScope = (flow: Flow): SecretScope => (flow === 'rotate' ? World.repoScope : World.envScope);
/** The job that finishes a staged rotation and reads the escrow. */
const resumingJob = (flow: Flow): Job => (flow === 'rotate' ? 'rotate' : 'activate');

interface Armed {
  options: Partial<WorkflowRunOptions>;
  disarm(): void;
}

/** Prepares the kill of one run: the run options that trigger it and what to undo afterwards. */
function arm(world: World, flow: Flow, point: KillPoint): Armed {
  const { gh, mc } = world;
  let killNow = (): void => {};
  const kill = (k: () => void) => {
    killNow = k;
  };
  const undo: Array<() => void> = [];
  const armed = (options: Partial<WorkflowRunOptions>): Armed => ({
    options,
    disarm: () => {
      for (const u of undo) u();
    },
  });
  const onLine = (match: RegExp, afterMs = 0): Armed => {
    // Without a delay, kill from the stdout handler itself, as close to the line as possible.
    if (!afterMs) return armed({ killWhen: (line) => match.test(line) });
    let timer: NodeJS.Timeout | undefined;
    undo.push(() => clearTimeout(timer));
    return armed({
      kill,
      onLine: (line) => {
        if (!timer && match.test(line)) timer = setTimeout(() => killNow(), afterMs);
      },
    });
  };
  switch (point.on) {
    case 'line':
      return onLine(point.match);
    case 'waiting': {
      const delay = () => mc.delayUsable(world.clientId, USABLE_DELAY_MS);
      if (mc.statusOf(world.clientId).staged) delay();
      const onChange = (e: { type: string }) => {
        if (e.type === 'generated') delay();
      };
      mc.on('change', onChange);
      undo.push(() => mc.off('change', onChange));
      undo.push(() => mc.restoreUsable(world.clientId));
      return onLine(AWAIT_USABLE, point.afterMs);
    }
    case 'put': {
      let count = 0;
      const onWrite = (e: { name: string; action: string }) => {
        if (e.action === 'put' && e.name === SECRET && ++count === point.count) killNow();
      };
      gh.on('secret-write', onWrite);
      undo.push(() => gh.off('secret-write', onWrite));
      for (const target of point.held) {
        const fault = gh.server.faults.inject({
          route: PUT_ROUTE[target],
          mode: { kind: 'status', status: 503, body: { message: 'Service Unavailable' } },
          times: 1000,
        });
        undo.push(() => fault.clear());
      }
      break;
    }
    case 'escrow-lost': {
      const route = PUT_ROUTE[flow === 'rotate' ? 'repo' : 'env'];
      // The write check (PUT, DELETE of `_WRITE_CHECK`) comes first; the next PUT on the route is the escrow's.
      let fault: { clear(): void } | undefined;
      const onWrite = (e: { name: string; action: string }) => {
        if (e.name === `${SECRET}_WRITE_CHECK` && e.action === 'delete')
          fault = gh.server.faults.inject({ route, mode: { kind: 'reset' }, times: 1 });
      };
      const onRequest = (entry: { route: string; fault?: string }) => {
        if (entry.route === route && entry.fault === 'reset') killNow();
      };
      gh.on('secret-write', onWrite);
      gh.server.on('request', onRequest);
      undo.push(
        () => fault?.clear(),
        () => gh.off('secret-write', onWrite),
        () => gh.server.off('request', onRequest),
      );
      break;
    }
    case 'escrow': {
      const onWrite = (e: { name: string; action: string }) => {
        if (e.name === STAGED && e.action === point.action) killNow();
      };
      gh.on('secret-write', onWrite);
      undo.push(() => gh.off('secret-write', onWrite));
      break;
    }
    case 'marketing-cloud': {
      const onChange = (e: { type: string }) => {
        if (e.type === point.type) killNow();
      };
      mc.on('change', onChange);
      undo.push(() => mc.off('change', onChange));
      break;
    }
    case 'stage-throttled': {
      const fault = mc.server.faults.inject({
        route: MC_ROUTES.stage,
        mode: {
          kind: 'status',
          status: 429,
          retryAfter: 2,
          body: restError('Too many requests: general throttling.', ERROR_CODES.throttled),
        },
        times: 1,
      });
      undo.push(() => fault.clear());
      return armed({ killWhen: (line) => /^Retrying POST \S+\/staged /.test(line) });
    }
    case 'request': {
      let count = 0;
      const onRequest = () => {
        if (++count === point.count) killNow();
      };
      for (const server of [gh.server, mc.server]) {
        server.on('request', onRequest);
        undo.push(() => server.off('request', onRequest));
      }
      break;
    }
  }
  return armed({ kill });
}

/** The staged secret Marketing Cloud holds now, if any (the newest one generated: one package per world). */
function stagedSecret(world: World): string | undefined {
  return world.mc.statusOf(world.clientId).staged ? world.mc.knownSecrets().at(-1) : undefined;
}

/** Deletes, expires or corrupts every state artifact, as retention, a cleanup or a bad upload would. */
async function damageState(world: World, damage: NonNullable<CrashCaseSpec['damage']>): Promise<void> {
  for (const artifact of world.stateArtifacts()) {
    if (damage === 'expired') world.gh.artifacts.expire(artifact.id);
    // A valid zip holding bad JSON: an invalid zip would only make the artifact client retry for long.
    if (damage === 'corrupt')
      world.gh.artifacts.corrupt(
        artifact.id,
        Buffer.from(zipSync({ 'state.json': Buffer.from('{"schemaVersion": 1, "phase":') })),
      );
    if (damage === 'missing') {
      const response = await fetch(
        `${world.gh.url}/repos/${OWNER}/${REPO}/actions/artifacts/${artifact.id}`,
        {
          method: 'DELETE',
          headers: { authorization: `Bearer ${world.stateToken}`, accept: 'application/vnd.github+json' },
        },
      );
      if (response.status !== 204)
        throw new Error(`deleting artifact ${artifact.id}: HTTP ${response.status}`);
    }
  }
}

/** What the world looked like when a run was killed, for the table. */
function killedAt(world: World, flow: Flow, generatedBefore: number): string {
  const parts = world.count('generated') > generatedBefore ? ['generated'] : [];
  const staged = stagedSecret(world);
  if (staged !== undefined) {
    parts.push(world.gh.secretValue(escrowScope(flow), STAGED) === staged ? 'escrowed' : 'not escrowed');
    const held = (['repo', 'env', 'org'] as const).filter(
      (t) => world.gh.secretValue(SCOPE[t], SECRET) === staged,
    );
    if (held.length > 0) parts.push(`published to ${held.join('+')}`);
  }
  if (world.mc.history(world.clientId).some((e) => e.type === 'activated')) parts.push('activated');
  return parts.join(', ') || 'nothing staged';
}

/** Once the rotation is complete: one activation, every destination on the new secret, no escrow, a state a later run takes as done. */
function completionProblems(world: World, flow: Flow, watched: WatchedDestination[]): string[] {
  const { mc, gh, clientId } = world;
  const problems: string[] = [];
  if (mc.statusOf(clientId).staged) problems.push('a staged secret was left in Marketing Cloud');
  const activations = world.count('activated');
  if (activations !== 1) problems.push(`${activations} activations instead of 1`);
  const values = new Set(watched.map((d) => gh.secretValue(d.scope, d.name)));
  for (const d of watched) {
    const value = gh.secretValue(d.scope, d.name);
    if (value === undefined || !mc.accepts(clientId, value))
      problems.push(`${d.id} does not hold the active secret`);
  }
  if (values.size !== 1) problems.push('the destinations hold different secrets');
  if (mc.accepts(clientId, world.initialSecret)) problems.push('the old secret is still accepted');
  if (gh.secretValue(escrowScope(flow), STAGED) !== undefined)
    problems.push('the escrow secret was not deleted');
  const active = gh.secretValue(watched[0]?.scope ?? World.repoScope, SECRET);
  const unsettled = active === undefined ? undefined : world.stateUnsettled(active);
  if (unsettled) problems.push(unsettled);
  return problems;
}

/** Plays the workflow: the killed run, then fresh runs until the rotation is complete. */
async function play(world: World, spec: CrashCaseSpec, watched: WatchedDestination[]): Promise<CaseOutcome> {
  const problems: string[] = [];
  const notes: string[] = [];
  const jobs = jobsOf(spec.flow);
  let firstJob = 0;
  let runId = 5000;
  // Whether the job that resumes is given the escrow, so a staged secret there is recoverable.
  const escrowReadable = (spec.rerun?.stagedFrom ?? wiring(resumingJob(spec.flow)).stagedFrom) !== 'none';
  for (let attempt = 1; attempt <= 1 + FURTHER_RUNS; attempt++) {
    if (attempt === 2 && spec.damage) {
      await damageState(world, spec.damage);
      notes.push(`state ${spec.damage}`);
    }
    // A fresh run runs every job; a re-run attempt only the failed one and those after it.
    if (!(spec.sameRun && attempt > 1)) {
      runId += 1;
      firstJob = 0;
    }
    const kill = spec.kills[attempt - 1];
    for (let j = firstJob; j < jobs.length; j++) {
      const job = jobs[j] as Job;
      const wired = wiring(job);
      const custom = attempt > 1 && job === resumingJob(spec.flow) ? spec.rerun : undefined;
      const clientSecretFrom = custom?.clientSecretFrom ?? wired.clientSecretFrom;
      const stagedFrom = custom?.stagedFrom ?? wired.stagedFrom;

      // Could this run finish with the secret already staged? Only then is staging again needless.
      const staged = stagedSecret(world);
      const escrowed =
        staged !== undefined && world.gh.secretValue(escrowScope(spec.flow), STAGED) === staged;
      const inInputs =
        staged !== undefined &&
        [world.secretOf(clientSecretFrom), world.secretOf(stagedFrom)].includes(staged);
      const recoverable = inInputs || (escrowed && escrowReadable);
      const generatedBefore = world.count('generated');

      const armed = kill?.job === job ? arm(world, spec.flow, kill.at) : undefined;
      const run = await world.run({
        inputs: wired.inputs,
        clientSecretFrom,
        stagedFrom,
        runId,
        attempt: spec.sameRun ? attempt : 1,
        jobId: j + 1,
        ...armed?.options,
      });
      armed?.disarm();

      const label = `run ${attempt}${jobs.length > 1 ? ` (${job})` : ''}`;
      if (world.count('generated') > generatedBefore && generatedBefore > 0) {
        if (staged === undefined) problems.push(`${label} generated again although nothing was staged`);
        else if (recoverable)
          problems.push(`${label} re-staged needlessly: the staged secret was recoverable`);
        else {
          notes.push(
            `${label} re-staged: ${escrowed ? 'the rerun was given only the old secret' : 'the staged secret never reached the escrow'}`,
          );
        }
      }
      if (armed && !run.killed) problems.push(`${label}: the kill point was never reached`);
      if (run.killed && kill?.at.on === 'waiting' && stepLine('publish').test(run.stdout))
        problems.push(`${label} was killed after the usable wait, not inside it`);
      if (run.killed) notes.push(`${label} killed (${killedAt(world, spec.flow, generatedBefore)})`);
      else if (run.code !== 0) notes.push(`${label} failed: ${firstError(run)}`);
      if (run.code !== 0) {
        firstJob = j;
        break;
      }
      if (j === jobs.length - 1) {
        problems.push(...completionProblems(world, spec.flow, watched));
        return { problems, note: notes.join('; ') };
      }
    }
  }
  problems.push(`the rotation was not complete after ${FURTHER_RUNS} further runs`);
  return { problems, note: notes.join('; ') };
}

export function crashCase(spec: CrashCaseSpec): ReliabilityCase {
  return {
    name: spec.name,
    run: () => runCase(spec.name, WINDOW_MS, (world, watched) => play(world, spec, watched)),
  };
}

const stepLine = (name: string): RegExp => new RegExp(`^\\[${name}\\] `, 'm');
const step = (name: string): KillPoint => ({ on: 'line', match: stepLine(name) });
const AWAIT_USABLE = stepLine('await-usable');

const rotate = (name: string, at: KillPoint, extra: Partial<CrashCaseSpec> = {}): CrashCaseSpec => ({
  name: `rotate: ${name}`,
  flow: 'rotate',
  kills: [{ job: 'rotate', at }],
  ...extra,
});
const twoJob = (
  name: string,
  job: 'stage' | 'activate',
  at: KillPoint,
  extra: Partial<CrashCaseSpec> = {},
): CrashCaseSpec => ({
  name: `stage/activate: ${name}`,
  flow: 'two-job',
  kills: [{ job, at }],
  ...extra,
});

/** Every crash case, in the order of the table. */
export function crashCaseSpecs(): CrashCaseSpec[] {
  return [
    // rotate: step boundaries and points inside the waits.
    rotate('at [preflight]', step('preflight')),
    rotate('at [stage]', step('stage')),
    rotate('right after generation', { on: 'marketing-cloud', type: 'generated' }),
    rotate('during the escrow PUT (never stored)', { on: 'escrow-lost' }),
    rotate('after the escrow write, before the state save', { on: 'escrow', action: 'put' }),
    rotate('at [await-usable]', step('await-usable')),
    rotate('inside the usable wait', { on: 'waiting', afterMs: 300 }),
    rotate('late in the usable wait', { on: 'waiting', afterMs: 2000 }),
    rotate('at [publish]', step('publish')),
    rotate('after 1 of 3 destinations', { on: 'put', count: 1, held: ['env', 'org'] }),
    rotate('after 2 of 3 destinations (repo, env)', { on: 'put', count: 2, held: ['org'] }),
    rotate('after 2 of 3 destinations (repo, org)', { on: 'put', count: 2, held: ['env'] }),
    rotate('after 3 of 3 destinations, before the state save', { on: 'put', count: 3, held: [] }),
    rotate('at [verify]', step('verify')),
    rotate('at [activate]', step('activate')),
    rotate('after activation, before the state save', { on: 'marketing-cloud', type: 'activated' }),
    rotate('at [confirm]', step('confirm')),
    // The rotation is complete here (confirm saves no state). Mode rotate rotates once per workflow
    // run: a fresh run would rotate again, as asked; a re-run attempt finds this run's rotation done.
    rotate(
      'after the escrow delete, re-run attempt of the same run',
      { on: 'escrow', action: 'delete' },
      { sameRun: true },
    ),
    ...[4, 12, 20].map((count) => rotate(`at the action's request ${count}`, { on: 'request', count })),

    // rotate: the hard cases.
    rotate(
      'after 1 of 3, rerun given only the old secret',
      { on: 'put', count: 1, held: ['env', 'org'] },
      {
        rerun: { clientSecretFrom: { scope: World.envScope, name: SECRET }, stagedFrom: 'none' },
      },
    ),
    rotate(
      'after 2 of 3, rerun given only the old secret',
      { on: 'put', count: 2, held: ['org'] },
      {
        rerun: { clientSecretFrom: { scope: World.orgScope, name: SECRET }, stagedFrom: 'none' },
      },
    ),
    rotate('at [await-usable], state missing', step('await-usable'), { damage: 'missing' }),
    rotate('after 2 of 3, state missing', { on: 'put', count: 2, held: ['org'] }, { damage: 'missing' }),
    rotate(
      'after 1 of 3, state expired',
      { on: 'put', count: 1, held: ['env', 'org'] },
      { damage: 'expired' },
    ),
    rotate('at [verify], state corrupt', step('verify'), { damage: 'corrupt' }),
    rotate(
      'after activation, state missing',
      { on: 'marketing-cloud', type: 'activated' },
      { damage: 'missing' },
    ),
    rotate(
      'after activation, state corrupt',
      { on: 'marketing-cloud', type: 'activated' },
      { damage: 'corrupt' },
    ),
    rotate(
      'after 2 of 3, re-run attempt of the same run',
      { on: 'put', count: 2, held: ['org'] },
      { sameRun: true },
    ),
    {
      name: 'rotate: after 1 of 3 with only the old secret, then the rerun killed while putting it back',
      flow: 'rotate',
      kills: [
        { job: 'rotate', at: { on: 'put', count: 1, held: ['env', 'org'] } },
        { job: 'rotate', at: { on: 'put', count: 1, held: ['env', 'org'] } },
      ],
      rerun: { clientSecretFrom: { scope: World.envScope, name: SECRET }, stagedFrom: 'none' },
    },
    {
      name: 'rotate: after 1 of 3 with only the old secret, then the rerun killed after putting it back',
      flow: 'rotate',
      kills: [
        { job: 'rotate', at: { on: 'put', count: 1, held: ['env', 'org'] } },
        { job: 'rotate', at: { on: 'put', count: 3, held: [] } },
      ],
      rerun: { clientSecretFrom: { scope: World.envScope, name: SECRET }, stagedFrom: 'none' },
    },
    {
      name: 'rotate: after 1 of 3 with only the old secret, then the rerun killed right after re-staging',
      flow: 'rotate',
      kills: [
        { job: 'rotate', at: { on: 'put', count: 1, held: ['env', 'org'] } },
        { job: 'rotate', at: { on: 'marketing-cloud', type: 'generated' } },
      ],
      rerun: { clientSecretFrom: { scope: World.envScope, name: SECRET }, stagedFrom: 'none' },
    },
    {
      name: 'rotate: right after generation, then the rerun killed in the Retry-After wait before re-staging',
      flow: 'rotate',
      kills: [
        { job: 'rotate', at: { on: 'marketing-cloud', type: 'generated' } },
        { job: 'rotate', at: { on: 'stage-throttled' } },
      ],
    },
    {
      name: 'rotate: at [await-usable], then the rerun killed at [confirm]',
      flow: 'rotate',
      kills: [
        { job: 'rotate', at: step('await-usable') },
        { job: 'rotate', at: step('confirm') },
      ],
    },

    // stage/activate with the escrow in the environment.
    twoJob('stage job at [stage]', 'stage', step('stage')),
    twoJob('stage job right after generation', 'stage', { on: 'marketing-cloud', type: 'generated' }),
    twoJob('stage job during the escrow PUT (never stored)', 'stage', { on: 'escrow-lost' }),
    twoJob('stage job after the escrow write, before the state save', 'stage', {
      on: 'escrow',
      action: 'put',
    }),
    twoJob('activate job at [await-usable]', 'activate', step('await-usable')),
    twoJob('activate job inside the usable wait', 'activate', { on: 'waiting', afterMs: 300 }),
    twoJob('activate job after 1 of 3 (org)', 'activate', { on: 'put', count: 1, held: ['repo', 'env'] }),
    twoJob('activate job after 2 of 3 (repo, env)', 'activate', { on: 'put', count: 2, held: ['org'] }),
    twoJob('activate job at [verify]', 'activate', step('verify')),
    twoJob('activate job at [activate]', 'activate', step('activate')),
    twoJob('activate job after activation, before the state save', 'activate', {
      on: 'marketing-cloud',
      type: 'activated',
    }),
    twoJob('activate job at [confirm]', 'activate', step('confirm')),
    twoJob(
      'activate job after 1 of 3, state missing',
      'activate',
      { on: 'put', count: 1, held: ['env', 'org'] },
      {
        damage: 'missing',
      },
    ),
    twoJob(
      'activate job after activation, state missing',
      'activate',
      { on: 'marketing-cloud', type: 'activated' },
      {
        damage: 'missing',
      },
    ),
    twoJob(
      'activate job after 2 of 3, re-run of the failed job',
      'activate',
      { on: 'put', count: 2, held: ['org'] },
      {
        sameRun: true,
      },
    ),
  ];
}

export function crashCases(): ReliabilityCase[] {
  return crashCaseSpecs().map(crashCase);
}
