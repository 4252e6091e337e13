// The engine through in-memory fakes of its ports (no HTTP): what it decides
// when the stored state claims more than the platforms show, the active
// secret's age, and the refresh of an old state.
import { describe, expect, it, vi } from 'vitest';
import type { Destination, Mode } from '../../src/config.ts';
import { ActionError, DestinationError } from '../../src/errors.ts';
import { type EngineConfig, runEngine } from '../../src/rotation/engine.ts';
import { fingerprint } from '../../src/rotation/fingerprint.ts';
import {
  type ManagementPort,
  NothingStagedError,
  type SecretStatus,
  type SecretsPort,
  type StagedSecret,
  type StateStore,
  type TokenPort,
} from '../../src/rotation/ports.ts';
import type { RotationRecord, RotationState } from '../../src/rotation/state.ts';
import { stateDocument } from '../support/state-document.ts';

const DAY = 86_400_000;
const CLIENT = 'abcdefgh12345678';
const dest = (id: string, name = 'S'): Destination => ({ id, name, kind: 'repo', owner: 'o', repo: id });
const DESTINATIONS = [dest('a'), dest('b')];
const ESCROW = dest('escrow', 'S_STAGED');
const PREVIOUS = dest('previous', 'S_PREVIOUS');

/** Marketing Cloud: one active secret, at most one staged, usable at once. */
class FakeMc implements TokenPort, ManagementPort {
  active: { secret: string; createdAt: Date };
  staged: { secret: string; createdAt: Date } | null = null;
  lastGeneratedAt: Date | null = null;
  lastActivatedAt: Date | null = null;
  readonly events: string[];
  /** Every secret the token endpoint was asked about, in order. */
  readonly checks: string[] = [];
  private readonly clock: { t: number };
  private n = 0;
  constructor(clock: { t: number }, events: string[]) {
    this.clock = clock;
    this.active = { secret: 'OLD', createdAt: new Date(clock.t - 160 * DAY) };
    this.events = events;
  }
  async check(secret: string) {
    this.checks.push(secret);
    return secret === this.active.secret || secret === this.staged?.secret
      ? ({ accepted: true } as const)
      : ({ accepted: false, reason: 'invalid_client' } as const);
  }
  /** How often the status was read. */
  statusReads = 0;
  async status(): Promise<SecretStatus> {
    this.statusReads++;
    const exp = (d: Date) => new Date(d.getTime() + 180 * DAY);
    return {
      clientId: CLIENT,
      active: { createdAt: this.active.createdAt, expiresAt: exp(this.active.createdAt) },
      staged: this.staged && {
        createdAt: this.staged.createdAt,
        usableAt: this.staged.createdAt,
        expiresAt: exp(this.staged.createdAt),
        description: '',
      },
      lastGeneratedAt: this.lastGeneratedAt,
      lastActivatedAt: this.lastActivatedAt,
    };
  }
  async stage(_description: string, unchanged?: () => Promise<void>): Promise<StagedSecret> {
    await unchanged?.();
    const now = new Date(this.clock.t);
    this.staged = { secret: `NEW${++this.n}`, createdAt: now };
    this.lastGeneratedAt = now;
    this.events.push('stage');
    return {
      clientSecret: this.staged.secret,
      createdAt: now,
      usableAt: now,
      expiresAt: new Date(now.getTime() + 180 * DAY),
    };
  }
  /** Runs before activation: another run, or a person in Setup, may act in between. */
  beforeActivate = () => {};
  async activate() {
    this.beforeActivate();
    if (!this.staged) throw new NothingStagedError('client-id', 'There is no staged secret to activate.');
    this.active = this.staged;
    this.staged = null;
    this.lastActivatedAt = new Date(this.clock.t);
    this.events.push('activate');
    return {
      activatedAt: this.lastActivatedAt,
      expiresAt: new Date(this.active.createdAt.getTime() + 180 * DAY),
    };
  }
}

class FakeSecrets implements SecretsPort {
  readonly values = new Map<string, { value: string; at: Date }>();
  /** How long each publish takes on the clock, and whether it fails. */
  publishMs = 0;
  failPublish = false;
  private readonly clock: { t: number };
  private readonly events: string[];
  constructor(clock: { t: number }, events: string[]) {
    this.clock = clock;
    this.events = events;
  }
  async prepare() {}
  async publish(destinations: Destination[], plaintext: string) {
    this.clock.t += this.publishMs;
    if (this.failPublish && !destinations.includes(ESCROW))
      return destinations.map((destination) => ({ destination, ok: false, error: `${destination.id}: 503` }));
    for (const d of destinations) {
      this.values.set(d.id, { value: plaintext, at: new Date(this.clock.t) });
      this.events.push(`write ${d.id}`);
    }
    return destinations.map((destination) => ({ destination, ok: true }));
  }
  /** The escrow's delete fails, as a GitHub outage would make it. */
  failRemove = false;
  async remove(d: Destination) {
    if (this.failRemove) throw new DestinationError(d.id, `${d.id}: deleting the escrow failed (503)`);
    this.values.delete(d.id);
    this.events.push(`remove ${d.id}`);
  }
  /** Destinations whose `updated_at` GitHub fails to give, as in an outage. */
  readonly failReads = new Set<string>();
  async updatedAt(d: Destination) {
    if (this.failReads.has(d.id))
      throw new DestinationError(d.id, `${d.id}: reading the secret failed (502)`);
    return this.values.get(d.id)?.at;
  }
  /** How the probe's delete ends: undefined (deleted) or why it was left; a test may hold it. */
  probeRemoved: Promise<string | undefined> = Promise.resolve(undefined);
  async probeWrite(d: Destination) {
    this.events.push(`probe ${d.id}`);
    return { removed: this.probeRemoved };
  }
}

class FakeStore implements StateStore {
  /** The saves, oldest first; a withdrawn one moves to `withdrawn`. */
  readonly saved: RotationState[] = [];
  readonly withdrawn: RotationState[] = [];
  private state: RotationState | undefined;
  private readonly loaded: RotationState | undefined;
  /** When the loaded state's artifact was created; a test may age it. */
  savedAt: Date | undefined;
  constructor(state?: RotationState, savedAt?: Date) {
    this.state = state;
    this.loaded = state;
    this.savedAt = savedAt;
  }
  async withdraw() {
    const last = this.saved.pop();
    if (last) this.withdrawn.push(last);
    this.state = this.saved.at(-1) ?? this.loaded;
  }
  async load() {
    return { state: this.state, savedAt: this.savedAt };
  }
  /** Set by a test to hold or fail a save; resolves before the save is recorded. */
  gate: ((state: RotationState) => Promise<void>) | undefined;
  async save(state: RotationState) {
    // A save takes a while, as an upload does: the engine must wait for it, not assume it done.
    await new Promise((resolve) => setImmediate(resolve));
    await this.gate?.(state);
    this.saved.push(state);
    this.state = state;
    return { artifactId: this.saved.length };
  }
}

function world(mode: Mode, management: 'api' | 'setup', stored?: RotationState, savedAt?: Date) {
  const clock = { t: Date.parse('2026-11-01T00:00:00Z') };
  const events: string[] = [];
  const warnings: string[] = [];
  /** Info lines, and where groups open and close. */
  const lines: string[] = [];
  const mc = new FakeMc(clock, events);
  const secrets = new FakeSecrets(clock, events);
  for (const d of DESTINATIONS) secrets.values.set(d.id, { value: 'OLD', at: mc.active.createdAt });
  const store = new FakeStore(stored, savedAt);
  const config: EngineConfig = {
    mode,
    management,
    clientId: CLIENT,
    clientSecret: 'OLD',
    destinations: DESTINATIONS,
    escrow: ESCROW,
    previousEscrow: PREVIOUS,
    reminderIssue: false,
    rotateAfterDays: 150,
    description: 'test',
    maxWaitSeconds: 0,
    stateRetentionDays: 90,
    runId: 7,
    runAttempt: 1,
  };
  const run = (overrides: Partial<EngineConfig> = {}) =>
    runEngine({
      config: { ...config, ...overrides },
      tokens: mc,
      management: mc,
      secrets,
      store,
      clock: { now: () => clock.t },
      sleep: async (ms) => {
        clock.t += ms;
      },
      log: {
        info: (m) => lines.push(m),
        group: async (title, fn) => {
          lines.push(`::group::${title}`);
          try {
            return await fn();
          } finally {
            lines.push('::endgroup::');
          }
        },
        debug() {},
        notice() {},
        setSecret() {},
        warning: (m) => warnings.push(m),
      },
    });
  return { clock, events, warnings, lines, mc, secrets, store, run };
}

const fp = (secret: string) => fingerprint(CLIENT, secret);
/** The record of a staging of `secret` at `stagedAt` by run 3, usable at once. */
const stagingOf = (secret: string, stagedAt: Date, extra: Partial<RotationRecord> = {}): RotationRecord => ({
  stagedFingerprint: fp(secret),
  stagedAt: stagedAt.toISOString(),
  usableAt: stagedAt.toISOString(),
  expiresAt: new Date(stagedAt.getTime() + 180 * DAY).toISOString(),
  escrowId: ESCROW.id,
  publishedTo: [],
  stagedByRun: 3,
  ...extra,
});
const base = (t: number, extra: Partial<RotationState>): RotationState =>
  stateDocument(CLIENT, new Date(t), extra);

describe('the run’s time budget', () => {
  it('stops before the next step once slow calls spent it, and the next run finishes the rotation', async () => {
    const w = world('rotate', 'api');
    // Writing the escrow took 11 minutes (every call is bounded, but slow ones add up).
    const publish = w.secrets.publish.bind(w.secrets);
    w.secrets.publish = async (destinations, plaintext) => {
      if (destinations[0]?.id === ESCROW.id) w.clock.t += 11 * 60_000;
      return publish(destinations, plaintext);
    };
    const outcome = await w.run();
    expect(outcome.error?.message).toMatch(/time budget .* before the await-usable step/);
    expect(w.events).toEqual(['probe escrow', 'stage', 'write escrow']);
    expect(w.store.saved.at(-1)?.phase).toBe('staged');

    w.secrets.publish = publish;
    const staged = w.secrets.values.get(ESCROW.id)?.value;
    const rerun = await w.run({ stagedClientSecret: staged });
    expect(rerun.error).toBeUndefined();
    expect(rerun.result.rotated).toBe(true);
  });
});

describe('the log', () => {
  it('prints each step headline outside a group that holds the step’s own lines', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    let depth = 0;
    const headlines: string[] = [];
    for (const [i, line] of w.lines.entries()) {
      if (line.startsWith('::group::')) depth++;
      else if (line === '::endgroup::') depth--;
      else if (/^\[\w[\w-]*\] /.test(line)) {
        expect(depth, line).toBe(0);
        const step = line.slice(1, line.indexOf(']'));
        expect(w.lines[i + 1]).toBe(`::group::${step} details`);
        headlines.push(step);
      }
    }
    expect(depth).toBe(0);
    expect(headlines).toContain('stage');
  });
});

describe('the API flow takes evidence, not the state’s word', () => {
  it('confirms a staging activated by someone else between its publish and its activation', async () => {
    const w = world('rotate', 'api');
    w.mc.beforeActivate = () => {
      w.mc.beforeActivate = () => {};
      if (!w.mc.staged) return;
      w.mc.active = w.mc.staged;
      w.mc.staged = null;
      w.mc.lastActivatedAt = new Date(w.clock.t);
    };
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(outcome.result.rotated).toBe(true);
    expect(outcome.result.notes.join('\n')).toMatch(
      /already activated .* this run did not activate it again/,
    );
    expect(w.events).not.toContain('activate');
  });

  it('fails with the port’s words when nothing is staged and nothing was activated since the staging', async () => {
    const w = world('rotate', 'api');
    w.mc.beforeActivate = () => {
      w.mc.staged = null;
    };
    const outcome = await w.run();
    expect(outcome.error).toBeInstanceOf(NothingStagedError);
    expect(outcome.error?.message).toBe('There is no staged secret to activate.');
    expect(w.events).not.toContain('remove escrow');
  });

  it('writes every destination before activating, though the state says published', async () => {
    const w = world('rotate', 'api');
    expect((await w.run({ mode: 'stage' })).error).toBeUndefined();
    const staged = w.secrets.values.get(ESCROW.id)?.value ?? '';
    const forged = w.store.saved.at(-1) as RotationState;
    const rotation = forged.rotation && { ...forged.rotation, publishedTo: ['a', 'b'] };
    await w.store.save({ ...forged, phase: 'published', rotation });
    w.events.length = 0;

    const outcome = await w.run({ mode: 'activate', stagedClientSecret: staged });
    expect(outcome.error).toBeUndefined();
    expect(w.events.indexOf('write a')).toBeLessThan(w.events.indexOf('activate'));
    expect(w.events.indexOf('write b')).toBeLessThan(w.events.indexOf('activate'));
    expect(w.events.indexOf('activate')).toBeLessThan(w.events.indexOf('remove escrow'));
    for (const d of DESTINATIONS) expect(w.secrets.values.get(d.id)?.value).toBe(staged);
    expect(w.warnings.join('\n')).toMatch(/a, b were not written since it was staged/);
    expect(outcome.result.notes.join('\n')).toMatch(/that claim was ignored/);
  });

  it('sets aside a state that claims an activation Marketing Cloud contradicts, and does not block', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const stagedAt = new Date(t - 30 * DAY).toISOString();
    const stored = base(t, {
      phase: 'activated',
      rotation: {
        stagedFingerprint: 'deadbeefdeadbeef',
        stagedAt,
        usableAt: stagedAt,
        expiresAt: stagedAt,
        escrowId: ESCROW.id,
        publishedTo: ['a'],
        stagedByRun: 1,
      },
    });
    const w = world('auto', 'api', stored);
    w.mc.lastGeneratedAt = new Date(t - 10 * DAY);
    w.mc.lastActivatedAt = new Date(t - 10 * DAY);
    w.mc.active.createdAt = new Date(t - 10 * DAY);
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(w.warnings.join('\n')).toMatch(/set aside: .*accepts client-secret, a different secret/);
    expect(outcome.result.headline).toMatch(/No rotation due/);
    expect(w.events).toEqual([]);
    // Saved as idle in its place, once: the next run does not warn again.
    expect(w.store.saved).toMatchObject([{ phase: 'idle', rotation: null }]);
    w.warnings.length = 0;
    expect((await w.run({ runId: 8 })).error).toBeUndefined();
    expect(w.warnings).toEqual([]);
    expect(w.store.saved).toHaveLength(1);
  });

  it('takes the older of Marketing Cloud’s and the state’s age for the active secret', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const w = world(
      'status',
      'api',
      base(t, { activeSecret: { fingerprint: fp('OLD'), createdAt: new Date(t - 170 * DAY).toISOString() } }),
    );
    const outcome = await w.run();
    expect(outcome.result.secretAge).toEqual({ createdAt: new Date(t - 170 * DAY), source: 'state' });
    expect(outcome.result.expiresAt).toEqual(new Date(t + 10 * DAY));
  });
});

describe('preflight', () => {
  it.each(['api', 'setup'] as const)(
    '%s: asks the token endpoint once about a secret passed in twice',
    async (management) => {
      const w = world('status', management);
      const outcome = await w.run({ stagedClientSecret: 'OLD', previousClientSecret: 'OLD' });
      expect(outcome.error).toBeUndefined();
      expect(w.mc.checks).toEqual(['OLD']);
    },
  );
});

describe('the Setup flow’s age of the active secret', () => {
  it('a forged activation of today loses to the destinations’ older updated_at', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const today = new Date(t).toISOString();
    const w = world(
      'auto',
      'setup',
      base(t, { lastActivatedAt: today, activeSecret: { fingerprint: fp('OLD'), createdAt: today } }),
    );
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(outcome.result.headline).toMatch(/rotation is due/);
    expect(outcome.result.expiresAt).toEqual(new Date(t + 20 * DAY));
  });

  it('records the active secret’s age in the state, so distributing does not make it look young', async () => {
    const w = world('auto', 'setup');
    w.mc.staged = { secret: 'NEXT', createdAt: new Date(w.clock.t) };
    w.secrets.values.set(ESCROW.id, { value: 'NEXT', at: new Date(w.clock.t) });
    expect((await w.run({ stagedClientSecret: 'NEXT', maxWaitSeconds: 10 })).error).toBeUndefined();
    expect(w.store.saved.at(-1)?.activeSecret).toEqual({
      fingerprint: fp('OLD'),
      createdAt: w.mc.active.createdAt.toISOString(),
    });
    w.clock.t += DAY;
    const next = await w.run({ stagedClientSecret: 'NEXT', previousClientSecret: 'OLD' });
    expect(next.result.secretAge?.createdAt).toEqual(w.mc.active.createdAt);
  });
});

describe('the Setup flow after a switch from the API flow', () => {
  /** An API rotation (staged save, escrow gone), its writes minutes after the staging; a day later. */
  const afterApiRotation = async () => {
    const w = world('rotate', 'api');
    w.secrets.publishMs = 3 * 60_000;
    expect((await w.run()).error).toBeUndefined();
    w.secrets.publishMs = 0;
    w.clock.t += DAY;
    return w;
  };

  it('dates the active secret from its staging, not from the destinations’ later writes', async () => {
    const w = await afterApiRotation();
    const stagedAt = w.mc.active.createdAt;
    const { error, result } = await w.run({
      management: 'setup',
      mode: 'auto',
      clientSecret: 'NEW1',
      runId: 8,
    });
    expect(error).toBeUndefined();
    expect(result.headline).toMatch(/No rotation due/);
    expect(result.secretAge).toEqual({ createdAt: stagedAt, source: 'state' });
    expect(result.expiresAt).toEqual(new Date(stagedAt.getTime() + 180 * DAY));
  });
});

/**
 * A Setup distribution that stopped after writing a (the `staged` save, the
 * previous escrow and destination a written), then a person deleted the
 * escrow, having activated the staged secret (or not). The workflow's
 * client-secret comes from a, so it is the staged secret.
 */
function stoppedHalfWay(activated = true) {
  const t = Date.parse('2026-11-01T00:00:00Z');
  const stagedAt = new Date(t - 2 * 60 * 60_000);
  const w = world(
    'auto',
    'setup',
    base(t - 60 * 60_000, {
      phase: 'staged',
      rotation: stagingOf('NEXT', stagedAt, { previousFingerprint: fp('OLD') }),
    }),
  );
  const written = new Date(t - 60 * 60_000);
  w.secrets.values.set(PREVIOUS.id, { value: 'OLD', at: written });
  w.secrets.values.set('a', { value: 'NEXT', at: written });
  if (activated) w.mc.active = { secret: 'NEXT', createdAt: stagedAt };
  else w.mc.staged = { secret: 'NEXT', createdAt: stagedAt };
  return w;
}

describe('the Setup flow takes a stored staging for finished only on GitHub’s word', () => {
  it('a destination not written since the staging gets the secret at once, and the rotation is confirmed: no outage', async () => {
    const w = stoppedHalfWay();
    const { error, result } = await w.run({ clientSecret: 'NEXT', previousClientSecret: 'OLD' });
    expect(error).toBeUndefined();
    expect(w.secrets.values.get('b')?.value).toBe('NEXT');
    // GitHub's word names the destination that did not hold it.
    expect(w.warnings.join(' ')).toMatch(/written now: b\./);
    expect(result.rotated).toBe(true);
    expect(w.secrets.values.has(PREVIOUS.id)).toBe(false);
    expect(result.secretAge).toEqual({ createdAt: w.mc.active.createdAt, source: 'state' });
  });

  it('a destination whose time cannot be read leaves it not finished: every destination is written again', async () => {
    const w = stoppedHalfWay();
    w.secrets.values.set('b', { value: 'NEXT', at: new Date(w.clock.t - 60 * 60_000) });
    const reads = w.secrets.updatedAt.bind(w.secrets);
    let failed = false;
    // The first read of b fails (preflight's evidence); later reads answer.
    w.secrets.updatedAt = async (d) => {
      if (d.id === 'b' && !failed) {
        failed = true;
        throw new DestinationError('b', 'b: reading the secret failed (502)');
      }
      return reads(d);
    };
    const { error } = await w.run({ clientSecret: 'NEXT', previousClientSecret: 'OLD' });
    expect(error).toBeUndefined();
    expect(w.events).toEqual(expect.arrayContaining(['write a', 'write b']));
  });

  it('the person deleted the escrow without activating (the old secret still accepted): distributed, then the person is asked', async () => {
    const w = stoppedHalfWay(false);
    const { error, result } = await w.run({ clientSecret: 'NEXT', previousClientSecret: 'OLD' });
    expect(error).toBeUndefined();
    expect(result.headline).toMatch(/activate the staged secret in Setup/);
    expect(w.secrets.values.get('b')?.value).toBe('NEXT');
    expect(w.secrets.values.get(PREVIOUS.id)?.value).toBe('OLD');
  });
});

describe('the Setup flow and a person who acts between runs', () => {
  it('a finished API rotation it takes up is saved as idle once; a staging escrowed later is distributed, not the active secret', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    const setup = { management: 'setup' as const, mode: 'auto' as const, clientSecret: 'NEW1' };
    w.clock.t += DAY;
    expect((await w.run({ ...setup, runId: 8 })).error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle']);
    w.clock.t += DAY;
    expect((await w.run({ ...setup, runId: 9 })).error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle']);
    // Due: the person generates S2 in Setup and escrows it.
    w.clock.t += 150 * DAY;
    w.mc.staged = { secret: 'S2', createdAt: new Date(w.clock.t) };
    w.secrets.values.set(ESCROW.id, { value: 'S2', at: new Date(w.clock.t) });
    w.clock.t += 10 * 60_000;
    const dist = await w.run({ ...setup, stagedClientSecret: 'S2', runId: 10 });
    expect(dist.error).toBeUndefined();
    expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['S2', 'S2']);
    expect(w.secrets.values.get(PREVIOUS.id)?.value).toBe('NEW1');
  });

  it('a record whose escrow went while no previous secret is passed in, but its escrow is there: no activation is assumed', async () => {
    // A distribution stopped after a; the person deleted the escrow without activating; OLD is still active.
    const w = stoppedHalfWay(false);
    const { error, result } = await w.run({ clientSecret: 'NEXT' });
    expect(error).toBeUndefined();
    expect(result.rotated).toBe(false);
    expect(result.headline).toMatch(/activate the staged secret in Setup/);
    expect(w.secrets.values.get(PREVIOUS.id)?.value).toBe('OLD');
    expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['NEXT', 'NEXT']);
  });

  describe.each(['published', 'staged'] as const)(
    'a second staged secret escrowed over a distributed one (%s)',
    (phase) => {
      const t = Date.parse('2026-11-01T00:00:00Z');
      const secondGenerated = (usable: boolean) => {
        const stagedAt = new Date(t - 2 * DAY);
        const w = world(
          'auto',
          'setup',
          base(t - DAY, {
            phase,
            rotation: stagingOf('NEXT', stagedAt, {
              previousFingerprint: fp('OLD'),
              publishedTo: ['a', 'b'],
            }),
          }),
        );
        const written = new Date(t - DAY);
        for (const d of phase === 'published' ? DESTINATIONS : DESTINATIONS.slice(0, 1))
          w.secrets.values.set(d.id, { value: 'NEXT', at: written });
        w.secrets.values.set(PREVIOUS.id, { value: 'OLD', at: written });
        // Generating S2 in Setup replaced NEXT (one staged secret at a time); the person escrowed it.
        w.mc.staged = { secret: 'S2', createdAt: new Date(t - 60 * 60_000) };
        w.secrets.values.set(ESCROW.id, { value: 'S2', at: new Date(t - 60 * 60_000) });
        if (!usable) {
          const check = w.mc.check.bind(w.mc);
          w.mc.check = async (secret) =>
            secret === 'S2' ? { accepted: false, reason: 'invalid_client' } : check(secret);
        }
        return w;
      };
      const inputs = { clientSecret: 'NEXT', stagedClientSecret: 'S2', previousClientSecret: 'OLD' };

      it('usable: it is distributed everywhere, the old secret kept, and the person asked to activate', async () => {
        const w = secondGenerated(true);
        const { error, result } = await w.run(inputs);
        expect(error).toBeUndefined();
        expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['S2', 'S2']);
        expect(w.secrets.values.get(PREVIOUS.id)?.value).toBe('OLD');
        expect(result.headline).toMatch(/activate the staged secret in Setup/);
      });

      it('not usable yet: the old secret goes back everywhere first', async () => {
        const w = secondGenerated(false);
        const { error } = await w.run(inputs);
        expect(error?.message).toMatch(/put back in every destination/);
        expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['OLD', 'OLD']);
      });
    },
  );
});

describe('the Setup flow infers an activation only from secrets in hand', () => {
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  /** NEXT distributed (published), the previous escrow OLD; the person then generated S2 (replacing NEXT) and escrowed it. */
  const regenerated = () => {
    const stagedAt = new Date(t0 - 2 * DAY);
    const w = world(
      'auto',
      'setup',
      base(t0 - DAY, {
        phase: 'published',
        rotation: stagingOf('NEXT', stagedAt, { previousFingerprint: fp('OLD'), publishedTo: ['a', 'b'] }),
      }),
    );
    for (const d of DESTINATIONS) w.secrets.values.set(d.id, { value: 'NEXT', at: new Date(t0 - DAY) });
    w.secrets.values.set(PREVIOUS.id, { value: 'OLD', at: new Date(t0 - DAY) });
    w.mc.staged = { secret: 'S2', createdAt: new Date(t0 - 10 * 60_000) };
    w.secrets.values.set(ESCROW.id, { value: 'S2', at: new Date(t0 - 10 * 60_000) });
    return w;
  };

  it.each([
    ['not passed in', undefined],
    ['passed in', 'OLD'],
  ])(
    'a newer staging over a replaced one, the previous secret %s: distributed and to be activated, never confirmed',
    async (_, previousClientSecret) => {
      const w = regenerated();
      const { error, result } = await w.run({
        clientSecret: 'NEXT',
        stagedClientSecret: 'S2',
        previousClientSecret,
      });
      expect(error).toBeUndefined();
      expect(result.rotated).toBe(false);
      expect(result.headline).toMatch(/activate the staged secret in Setup/);
      expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['S2', 'S2']);
      expect(w.secrets.values.get(PREVIOUS.id)?.value).toBe('OLD');
      expect(w.store.saved.at(-1)?.activeSecret?.fingerprint).not.toBe(fp('S2'));
    },
  );

  it('stopped half way, NEXT activated, then S2 generated and escrowed; the workflow holds OLD: S2 is not confirmed', async () => {
    const w = stoppedHalfWay(true);
    w.mc.staged = { secret: 'S2', createdAt: new Date(w.clock.t - 10 * 60_000) };
    w.secrets.values.set(ESCROW.id, { value: 'S2', at: new Date(w.clock.t - 10 * 60_000) });
    const { error, result } = await w.run({
      clientSecret: 'OLD',
      stagedClientSecret: 'S2',
      previousClientSecret: 'OLD',
    });
    expect(error).toBeUndefined();
    expect(result.rotated).toBe(false);
    expect(w.store.saved.at(-1)?.activeSecret?.fingerprint).not.toBe(fp('S2'));
  });

  it('after a switch from api, a failed read of the previous escrow fails the run, changing nothing; the next run takes the rotation up', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.clock.t += DAY;
    const setup = { management: 'setup' as const, mode: 'auto' as const, clientSecret: 'NEW1' };
    w.secrets.failReads.add(PREVIOUS.id);
    w.events.length = 0;
    const first = await w.run({ ...setup, runId: 8 });
    expect(first.error?.message).toMatch(/previous: reading the secret failed/);
    expect(w.events).toEqual([]);
    w.secrets.failReads.delete(PREVIOUS.id);
    w.clock.t += DAY;
    const second = await w.run({ ...setup, runId: 9 });
    expect(second.error).toBeUndefined();
    expect(second.result.headline).toMatch(/No rotation due/);
    w.clock.t += 160 * DAY;
    const due = await w.run({ ...setup, runId: 10 });
    expect(due.result.headline).toMatch(/rotation is due/);
  });
});

describe('the Setup flow doubts a published claim', () => {
  it('a staged secret escrowed long ago, rejected now, that one destination holds: the old secret goes back, not a distribution of it', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const stagedAt = new Date(t - 2 * DAY);
    const w = world(
      'auto',
      'setup',
      base(t - DAY, {
        phase: 'published',
        rotation: stagingOf('NEXT', stagedAt, { previousFingerprint: fp('OLD'), publishedTo: ['a', 'b'] }),
      }),
    );
    // Only a was written (b's write was lost, or undone by hand); NEXT was then replaced in Setup, never escrowed again.
    w.secrets.values.set(ESCROW.id, { value: 'NEXT', at: stagedAt });
    w.secrets.values.set(PREVIOUS.id, { value: 'OLD', at: stagedAt });
    w.secrets.values.set('a', { value: 'NEXT', at: new Date(t - DAY) });
    const { error } = await w.run({
      clientSecret: 'OLD',
      stagedClientSecret: 'NEXT',
      previousClientSecret: 'OLD',
    });
    expect(error?.message).toMatch(/put back in every destination/);
    expect(DESTINATIONS.map((d) => w.secrets.values.get(d.id)?.value)).toEqual(['OLD', 'OLD']);
  });
});

describe('the Setup flow after a finished API rotation that GitHub does not show over', () => {
  const failFirstReadOf = (w: ReturnType<typeof world>, id: string) => {
    const reads = w.secrets.updatedAt.bind(w.secrets);
    let failed = false;
    w.secrets.updatedAt = async (d) => {
      if (d.id === id && !failed) {
        failed = true;
        throw new DestinationError(id, `${id}: reading the secret failed (502)`);
      }
      return reads(d);
    };
  };

  it.each([
    [
      'one destination’s time cannot be read once',
      (w: ReturnType<typeof world>) => failFirstReadOf(w, 'b'),
      DESTINATIONS,
    ],
    ['a destination was added since the API rotation', () => {}, [...DESTINATIONS, dest('c')]],
  ])('%s: it writes every destination, confirms, and reminds when due', async (_, prepare, destinations) => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.clock.t += DAY;
    prepare(w);
    const setup = { management: 'setup' as const, mode: 'auto' as const, clientSecret: 'NEW1', destinations };
    const first = await w.run({ ...setup, runId: 8 });
    expect(first.error).toBeUndefined();
    expect(first.result.headline).not.toMatch(/activate the staged secret/);
    for (const d of destinations) expect(w.secrets.values.get(d.id)?.value).toBe('NEW1');
    w.clock.t += DAY;
    const second = await w.run({ ...setup, runId: 9 });
    expect(second.error).toBeUndefined();
    expect(second.result.headline).toMatch(/No rotation due/);
    // Once NEW1 is due, a person is reminded (else it expires at 180 days).
    w.clock.t += 160 * DAY;
    const due = await w.run({ ...setup, runId: 10 });
    expect(due.result.headline).toMatch(/rotation is due/);
  });
});

describe('state refresh', () => {
  const t = Date.parse('2026-11-01T00:00:00Z');
  it.each([
    ['auto', 50, 1],
    ['auto', 40, 0],
    ['status', 50, 0],
    ['plan', 50, 0],
  ] as const)('mode %s, state saved %i days ago: %i save(s)', async (mode, days, saves) => {
    const stored = base(t, {
      activeSecret: { fingerprint: fp('OLD'), createdAt: new Date(t - 10 * DAY).toISOString() },
    });
    const w = world(mode, 'api', stored, new Date(t - days * DAY));
    w.mc.active.createdAt = new Date(t - 10 * DAY);
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(w.store.saved).toHaveLength(saves);
    if (saves)
      expect(w.store.saved[0]).toMatchObject({
        phase: 'idle',
        runId: 7,
        updatedAt: new Date(t).toISOString(),
      });
  });
});

describe('a refresh never hides another run’s newer save', () => {
  const t = Date.parse('2026-11-01T00:00:00Z');
  const stored = base(t, {
    activeSecret: { fingerprint: fp('OLD'), createdAt: new Date(t - 10 * DAY).toISOString() },
  });

  it('API: Marketing Cloud shows a generation after the refresh was uploaded: it is withdrawn', async () => {
    const w = world('auto', 'api', stored, new Date(t - 50 * DAY));
    w.mc.active.createdAt = new Date(t - 10 * DAY);
    w.store.gate = async () => {
      w.mc.lastGeneratedAt = new Date(w.clock.t);
    };
    const { error, result } = await w.run();
    expect(error).toBeUndefined();
    expect(w.store.saved).toEqual([]);
    expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['idle']);
    expect(result.notes.join(' ')).not.toMatch(/State refreshed/);
  });

  it('API: a staging the loaded record names is no other run’s: the refresh stays', async () => {
    const stagedAt = new Date(t - 60 * DAY);
    const w = world(
      'stage',
      'api',
      base(t, {
        phase: 'staged',
        rotation: stagingOf('NEXT', stagedAt),
      }),
      new Date(t - 50 * DAY),
    );
    w.mc.staged = { secret: 'NEXT', createdAt: stagedAt };
    w.mc.lastGeneratedAt = stagedAt;
    w.secrets.values.set(ESCROW.id, { value: 'NEXT', at: stagedAt });
    const { error, result } = await w.run({ stagedClientSecret: 'NEXT' });
    expect(error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    expect(w.store.withdrawn).toEqual([]);
    expect(result.notes.join(' ')).toMatch(/State refreshed/);
  });

  it('Setup: a person escrows while the refresh is uploaded: it is withdrawn', async () => {
    const w = world('auto', 'setup', stored, new Date(t - 50 * DAY));
    for (const d of DESTINATIONS) w.secrets.values.set(d.id, { value: 'OLD', at: new Date(t - 10 * DAY) });
    w.store.gate = async () => {
      w.secrets.values.set(ESCROW.id, { value: 'NEXT', at: new Date(w.clock.t) });
    };
    const { error } = await w.run();
    expect(error).toBeUndefined();
    expect(w.store.saved).toEqual([]);
    expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['idle']);
  });

  it('Setup: nothing changed: the refresh stays', async () => {
    const w = world('auto', 'setup', stored, new Date(t - 50 * DAY));
    for (const d of DESTINATIONS) w.secrets.values.set(d.id, { value: 'OLD', at: new Date(t - 10 * DAY) });
    const { error, result } = await w.run();
    expect(error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['idle']);
    expect(result.notes.join(' ')).toMatch(/State refreshed/);
  });
});

describe('saves aside in corner cases', () => {
  it('a superseded API run saves nothing, not even a refresh of an old state', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.clock.t += 50 * DAY;
    const { error, result } = await w.run({ mode: 'auto', runId: 8 });
    expect(error).toBeUndefined();
    expect(result.headline).toMatch(/^Nothing to do: run 7 rotated this secret/);
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    expect(w.store.withdrawn).toEqual([]);
  });

  it('a re-run attempt whose loaded state is its own run’s saves nothing aside: a withdrawal could not bring that back', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.clock.t += 60_000;
    w.events.length = 0;
    const again = await w.run({ clientSecret: 'NEW1', runAttempt: 2 });
    expect(again.error).toBeUndefined();
    expect(again.result.headline).toMatch(/an earlier attempt of this workflow run rotated/);
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    // Attempt 3 still finds the record that names this run, and rotates no second time.
    const third = await w.run({ clientSecret: 'NEW1', runAttempt: 3 });
    expect(third.error).toBeUndefined();
    expect(w.events).toEqual([]);
  });

  it('a check that cannot ask withdraws the save and says why', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.clock.t += DAY;
    const status = w.mc.status.bind(w.mc);
    let reads = 0;
    w.mc.status = async () => {
      if (++reads === 2) throw new ActionError('Marketing Cloud', '503 from the management service');
      return status();
    };
    const { error, result } = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
    expect(error).toBeUndefined();
    expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['idle']);
    expect(result.notes.join(' ')).toMatch(
      /could not ask whether another run changed the rotation \(503 from/,
    );
  });

  it('Setup: a person overwrites the escrow while a refresh of the distributed state is uploaded: it is withdrawn', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const stagedAt = new Date(t - 50 * DAY);
    const stored = base(t - 50 * DAY, {
      phase: 'published',
      rotation: stagingOf('NEXT', stagedAt, {
        previousFingerprint: fp('OLD'),
        publishedTo: ['a', 'b'],
        publishedAt: stagedAt.toISOString(),
      }),
    });
    const w = world('auto', 'setup', stored, new Date(t - 50 * DAY));
    w.mc.staged = { secret: 'NEXT', createdAt: stagedAt };
    for (const d of [...DESTINATIONS, ESCROW]) w.secrets.values.set(d.id, { value: 'NEXT', at: stagedAt });
    w.secrets.values.set(PREVIOUS.id, { value: 'OLD', at: stagedAt });
    w.store.gate = async (state) => {
      if (state.runId !== 7) return;
      w.mc.staged = { secret: 'NEXT2', createdAt: new Date(w.clock.t) };
      w.secrets.values.set(ESCROW.id, { value: 'NEXT2', at: new Date(w.clock.t) });
    };
    const { error, result } = await w.run({
      clientSecret: 'NEXT',
      stagedClientSecret: 'NEXT',
      previousClientSecret: 'OLD',
    });
    expect(error).toBeUndefined();
    expect(result.headline).toMatch(/waiting for activation/i);
    expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['published']);
  });
});

describe('state refresh keeps what was loaded', () => {
  it('saves the loaded phase, rotation, history and last activation again, with this run and the age it learned', async () => {
    const t = Date.parse('2026-11-01T00:00:00Z');
    const stagedAt = new Date(t - 60 * DAY).toISOString();
    const stored = base(t, {
      phase: 'staged',
      // A staging no secret in hand matches: the Setup flow follows no record and reminds, saving nothing.
      rotation: {
        stagedFingerprint: fp('GONE'),
        stagedAt,
        usableAt: stagedAt,
        expiresAt: new Date(t + 120 * DAY).toISOString(),
        escrowId: ESCROW.id,
        publishedTo: [],
        stagedByRun: 3,
      },
      lastActivatedAt: new Date(t - 200 * DAY).toISOString(),
      history: [
        {
          fingerprint: fp('OLD'),
          stagedAt: new Date(t - 201 * DAY).toISOString(),
          activatedAt: new Date(t - 200 * DAY).toISOString(),
          confirmedAt: new Date(t - 200 * DAY).toISOString(),
          runId: 2,
        },
      ],
    });
    const w = world('auto', 'setup', stored, new Date(t - 50 * DAY));
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(outcome.result.headline).toMatch(/rotation is due/);
    expect(w.store.saved).toEqual([
      {
        ...stored,
        updatedAt: new Date(t).toISOString(),
        runId: 7,
        runAttempt: 1,
        activeSecret: { fingerprint: fp('OLD'), createdAt: new Date(t - 201 * DAY).toISOString() },
      },
    ]);
  });
});

describe('saves and checks a rotation makes', () => {
  it('saves the state once, staged before publishing: the deleted escrow tells later runs it is over', async () => {
    const w = world('rotate', 'api');
    const outcome = await w.run();
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ rotated: true, phase: 'idle' });
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    expect(w.secrets.values.has(ESCROW.id)).toBe(false);

    // A later run finds the record's secret active, in hand and its escrow gone: nothing under way, nothing done.
    w.clock.t += DAY;
    w.events.length = 0;
    const next = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
    expect(next.error).toBeUndefined();
    expect(next.result.headline).toMatch(/No rotation due/);
    expect(w.events).toEqual([]);
    expect(next.result.secretAge?.createdAt).toEqual(w.mc.active.createdAt);
    // It saves that once, so the runs after it need not read every destination again.
    const finished = expect.objectContaining({
      fingerprint: fp('NEW1'),
      previousFingerprint: fp('OLD'),
      runId: 7,
    });
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle']);
    expect(w.store.saved[1]).toMatchObject({ rotation: null, history: [finished], runId: 8 });

    // The next rotation's staged save keeps it in its history.
    w.clock.t += 200 * DAY;
    const third = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 9 });
    expect(third.error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle', 'staged']);
    expect(w.store.saved[2]?.history).toEqual([finished]);
  });

  describe('the idle save a later run owes once it finds the rotation over', () => {
    const rotated = async () => {
      const w = world('rotate', 'api');
      expect((await w.run()).error).toBeUndefined();
      w.clock.t += DAY;
      return w;
    };

    it('is not made by a run that only reports', async () => {
      const w = await rotated();
      expect((await w.run({ mode: 'status', clientSecret: 'NEW1', runId: 8 })).error).toBeUndefined();
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    });

    it('is withdrawn when Marketing Cloud, asked after the save, shows a generation since preflight', async () => {
      const w = await rotated();
      // Another run generates while this one works: its `staged` record must stay the newest.
      const status = w.mc.status.bind(w.mc);
      let reads = 0;
      w.mc.status = async () => {
        if (++reads === 2) w.mc.lastGeneratedAt = new Date(w.clock.t);
        return status();
      };
      const { error, result } = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
      expect(error).toBeUndefined();
      expect(reads).toBe(2);
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
      expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['idle']);
      expect(result.stateArtifactId).toBeUndefined();
      expect(result.notes.join(' ')).toMatch(/the state it saved was withdrawn/);
    });

    // The other run's generation comes after any check made before the upload, and before this upload ends.
    it.each([
      [
        'is withdrawn when another run stages while the upload is under way (whichever artifact is created first)',
        0,
      ],
      ['is withdrawn, and no refresh takes its place, when the loaded state is old', 50],
    ])('%s', async (_, daysLater) => {
      const w = await rotated();
      w.clock.t += daysLater * DAY;
      w.store.gate = async (state) => {
        if (state.phase === 'idle') w.mc.lastGeneratedAt = new Date(w.clock.t);
      };
      expect((await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 })).error).toBeUndefined();
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
      expect(w.store.withdrawn.map((s) => s.phase)).toEqual(['idle']);
    });

    it('is kept when Marketing Cloud shows nothing new after the save', async () => {
      const w = await rotated();
      const { error, result } = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
      expect(error).toBeUndefined();
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle']);
      expect(w.store.withdrawn).toEqual([]);
      expect(result.stateArtifactId).toBe(2);
    });

    it('is not made by a run that fails', async () => {
      const w = await rotated();
      w.clock.t += 200 * DAY;
      w.mc.stage = async () => {
        throw new ActionError('Marketing Cloud', 'generation refused');
      };
      expect((await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 })).error?.message).toBe(
        'generation refused',
      );
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    });

    it('is made by a run that delivered and confirmed again for want of a destination’s time', async () => {
      const w = await rotated();
      w.secrets.failReads.add('b');
      w.events.length = 0;
      expect((await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 })).error).toBeUndefined();
      expect(w.events).toEqual(['write a', 'write b', 'remove escrow']);
      expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'idle']);
      // The runs after it find nothing under way.
      w.events.length = 0;
      expect((await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 9 })).error).toBeUndefined();
      expect(w.events).toEqual([]);
    });
  });

  it('takes the stored rotation’s secret for the active one once it is over, though preflight saw the old one accepted', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    // This run's token checks came while both secrets were accepted (the staging usable, not yet
    // activated); its status read, after the rotation. The old secret's recorded age must not count.
    const check = w.mc.check.bind(w.mc);
    w.mc.check = async (secret) => (secret === 'OLD' ? { accepted: true } : check(secret));
    w.events.length = 0;
    const next = await w.run({ mode: 'auto', clientSecret: 'OLD', stagedClientSecret: 'NEW1', runId: 8 });
    expect(next.error).toBeUndefined();
    expect(next.result.headline).toMatch(/No rotation due/);
    expect(w.events).toEqual([]);
    expect(w.store.saved.at(-1)?.activeSecret?.fingerprint).toBe(fp('NEW1'));
  });

  it('does not take a rotation for over while a destination was not written since its staging', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    // Destination b went back to a write from before the staging (its write lost, or undone by hand).
    w.secrets.values.set('b', { value: 'OLD', at: new Date(w.clock.t - DAY) });
    w.clock.t += DAY;
    w.events.length = 0;
    const next = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
    expect(next.error).toBeUndefined();
    // The stored record still decides: deliver the active secret everywhere and confirm.
    expect(w.events).toEqual(['write a', 'write b', 'remove escrow']);
    expect(w.secrets.values.get('b')?.value).toBe('NEW1');
  });

  it('stages while the write check’s probe is deleted, and notes a probe left behind', async () => {
    const w = world('rotate', 'api');
    let leave = (_why: string) => {};
    w.secrets.probeRemoved = new Promise((resolve) => (leave = resolve));
    const outcome = w.run();
    // Staged while the probe's delete is still under way; the escrow is written once it has ended.
    await vi.waitFor(() => expect(w.events).toContain('stage'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.events).toEqual(['probe escrow', 'stage']);
    leave('escrow: the write check was left behind');
    const { error, result } = await outcome;
    expect(error).toBeUndefined();
    expect(w.events.slice(0, 3)).toEqual(['probe escrow', 'stage', 'write escrow']);
    expect(result.notes).toContain('escrow: the write check was left behind');
  });

  it('a staging that fails still waits for the probe’s delete and notes a probe left behind', async () => {
    const w = world('rotate', 'api');
    w.secrets.probeRemoved = Promise.resolve('escrow: the write check was left behind');
    w.mc.stage = async () => {
      throw new ActionError('Marketing Cloud', 'generation refused');
    };
    const { error, result } = await w.run();
    expect(error?.message).toBe('generation refused');
    expect(result.notes).toContain('escrow: the write check was left behind');
  });

  describe('a run queued behind a rotation, holding the secret it replaced', () => {
    const queued = async (prepare: (w: ReturnType<typeof world>) => void) => {
      const w = world('rotate', 'api');
      expect((await w.run()).error).toBeUndefined();
      prepare(w);
      w.events.length = 0;
      const outcome = await w.run({ mode: 'auto', runId: 8 });
      expect(w.events).toEqual([]);
      return outcome;
    };

    it('is superseded once GitHub shows that rotation over: escrow gone, every destination written since', async () => {
      const { error, result } = await queued(() => {});
      expect(error).toBeUndefined();
      expect(result.headline).toMatch(/^Nothing to do: run 7 rotated this secret/);
      expect(result.phase).toBe('idle');
    });

    it.each([
      [
        'the escrow is still there',
        (w: ReturnType<typeof world>) =>
          w.secrets.values.set(ESCROW.id, { value: 'NEW1', at: new Date(w.clock.t) }),
      ],
      ['the escrow cannot be read', (w: ReturnType<typeof world>) => w.secrets.failReads.add(ESCROW.id)],
      ['a destination cannot be read', (w: ReturnType<typeof world>) => w.secrets.failReads.add('b')],
    ])('fails on its rejected secret when %s', async (_, prepare) => {
      const { error } = await queued(prepare);
      expect(error?.message).toMatch(/Marketing Cloud rejects client-secret/);
    });
  });

  it('goes on when the escrow cannot be read after a rotation: the stored record decides, publish and confirm', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.secrets.failReads.add(ESCROW.id);
    w.events.length = 0;
    const next = await w.run({ mode: 'auto', clientSecret: 'NEW1', runId: 8 });
    expect(next.error).toBeUndefined();
    expect(w.events).toEqual(['write a', 'write b', 'remove escrow']);
  });

  it('a re-run attempt of a run that rotated in mode rotate finds its rotation done and starts none', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    w.events.length = 0;
    const again = await w.run({ clientSecret: 'NEW1', runAttempt: 2 });
    expect(again.error).toBeUndefined();
    expect(again.result.headline).toMatch(/an earlier attempt of this workflow run rotated the secret/);
    expect(w.events).toEqual([]);
    // A fresh run in mode rotate rotates again: that is what it asks for.
    const fresh = await w.run({ clientSecret: 'NEW1', runId: 8 });
    expect(fresh.error).toBeUndefined();
    expect(w.events).toContain('activate');
  });

  it('finishes a stored rotation whose escrow is still there: publish and confirm, however old', async () => {
    const w = world('rotate', 'api');
    // Activated, then the escrow's delete fails: the escrow remains.
    w.secrets.failRemove = true;
    expect((await w.run()).error?.message).toMatch(/deleting the escrow failed/);
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'activated']);
    w.secrets.failRemove = false;
    w.events.length = 0;
    const next = await w.run({ mode: 'auto', clientSecret: 'NEW1', stagedClientSecret: 'NEW1' });
    expect(next.error).toBeUndefined();
    expect(w.events).toEqual(['write a', 'write b', 'remove escrow']);
    expect(next.result.rotated).toBe(true);
  });

  it('a run that fails after staging saves the phase it reached, with its record', async () => {
    const w = world('rotate', 'api');
    w.secrets.failPublish = true;
    expect((await w.run()).error?.message).toMatch(/Could not write 2 of 2 destinations/);
    // Staged before publishing; then, at the end of the failed run, with the destinations it wrote.
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged', 'staged']);
    expect(w.store.saved[1]?.rotation?.stagedByRun).toBe(7);
  });

  it('stage mode saves the staged phase when it stops', async () => {
    const w = world('stage', 'api');
    expect((await w.run()).error).toBeUndefined();
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
  });

  it('saves `staged` while it waits for the secret to become usable, and publishes only once it is saved', async () => {
    const w = world('rotate', 'api');
    let release = () => {};
    w.store.gate = (state) =>
      state.phase === 'staged' ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    const outcome = w.run({ maxWaitSeconds: 600 });
    // The token endpoint is asked about the staged secret while its save is still under way ...
    await vi.waitFor(() => expect(w.mc.checks).toContain('NEW1'));
    expect(w.store.saved).toEqual([]);
    expect(w.events).not.toContain('write a');
    release();
    expect((await outcome).error).toBeUndefined();
    // ... and the destinations are written only after it.
    expect(w.store.saved.map((s) => s.phase)).toEqual(['staged']);
    expect(w.events).toContain('write a');
  });

  it('a staged save that fails during the wait stops the run before anything is published', async () => {
    const w = world('rotate', 'api');
    w.store.gate = async (state) => {
      if (state.phase === 'staged') throw new Error('artifact service down');
    };
    const outcome = await w.run({ maxWaitSeconds: 600 });
    expect(outcome.error?.message).toBe('artifact service down');
    expect(outcome.result.steps.find((s) => s.step === 'await-usable')?.outcome).toBe('failed');
    expect(w.events).toEqual(['probe escrow', 'stage', 'write escrow']);
  });

  it('reads Marketing Cloud’s status once in a rotation it stages and activates itself', async () => {
    const w = world('rotate', 'api');
    expect((await w.run()).error).toBeUndefined();
    // Preflight's read stands for the re-read before the first generation; the replies
    // to this run's stage and activate stand for confirm's.
    expect(w.mc.statusReads).toBe(1);
  });

  it('reads the status again before staging when preflight’s read is over a minute old', async () => {
    const w = world('rotate', 'api');
    w.secrets.probeWrite = async () => {
      w.clock.t += 61_000;
      return { removed: Promise.resolve(undefined) };
    };
    expect((await w.run({ maxWaitSeconds: 600 })).error).toBeUndefined();
    expect(w.mc.statusReads).toBe(2);
  });

  it('counts the status’s age from when it was asked for, though the keys came in a minute later', async () => {
    const w = world('rotate', 'api');
    // The status is asked for as soon as the token endpoint answered; the key lookups take longer.
    w.secrets.prepare = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      w.clock.t += 61_000;
    };
    expect((await w.run({ maxWaitSeconds: 600 })).error).toBeUndefined();
    expect(w.mc.statusReads).toBe(2);
  });

  it('confirm reads the status when the staging is not this run’s own', async () => {
    const w = world('stage', 'api');
    expect((await w.run()).error).toBeUndefined();
    const staged = w.secrets.values.get(ESCROW.id)?.value;
    const reads = w.mc.statusReads;
    const activate = await w.run({ mode: 'activate', stagedClientSecret: staged });
    expect(activate.error).toBeUndefined();
    expect(activate.result.rotated).toBe(true);
    // Preflight, and confirm: the record of the staging came from the state.
    expect(w.mc.statusReads - reads).toBe(2);
  });

  it('verify takes the acceptance await-usable just got, and asks again after a long publish', async () => {
    const quick = world('rotate', 'api');
    expect((await quick.run()).error).toBeUndefined();
    // await-usable only: verify took its answer, and confirm the activation's reply naming the staging.
    expect(quick.mc.checks.filter((s) => s === 'NEW1')).toHaveLength(1);

    const slow = world('rotate', 'api');
    slow.secrets.publishMs = 31_000;
    expect((await slow.run({ maxWaitSeconds: 600 })).error).toBeUndefined();
    expect(slow.mc.checks.filter((s) => s === 'NEW1')).toHaveLength(2);
  });

  describe('confirm asks about the new secret after the switch unless this run’s own activation showed it', () => {
    /** Whether the token endpoint was asked about NEW1 once the activation had been asked for. */
    const askedAfterActivation = (w: ReturnType<typeof world>, from: number) =>
      w.mc.checks.slice(from).includes('NEW1');
    const watch = (w: ReturnType<typeof world>, before: () => void = () => {}) => {
      let from = Number.POSITIVE_INFINITY;
      w.mc.beforeActivate = () => {
        from = w.mc.checks.length;
        before();
      };
      return () => from;
    };

    it('asks when the reply names another secret (a management service that activated something else)', async () => {
      const w = world('rotate', 'api');
      const from = watch(w, () => {
        w.mc.staged = { secret: 'OTHER', createdAt: new Date(w.clock.t - 600_000) };
      });
      const { error } = await w.run();
      expect(error?.message).toMatch(/After activation the token endpoint rejects the new secret/);
      expect(askedAfterActivation(w, from())).toBe(true);
      // The escrow, a copy of the secret every destination now holds, is kept.
      expect(w.secrets.values.get(ESCROW.id)?.value).toBe('NEW1');
    });

    it('asks when the staged secret was last accepted over 30 s before the activation', async () => {
      const w = world('rotate', 'api');
      const from = watch(w, () => {
        w.clock.t += 31_000;
      });
      expect((await w.run({ maxWaitSeconds: 600 })).error).toBeUndefined();
      expect(askedAfterActivation(w, from())).toBe(true);
    });

    it('asks when another run or a person activated the staging first (the status shows it)', async () => {
      const w = world('rotate', 'api');
      const from = watch(w, () => {
        w.mc.beforeActivate = () => {};
        if (!w.mc.staged) return;
        w.mc.active = w.mc.staged;
        w.mc.staged = null;
        w.mc.lastActivatedAt = new Date(w.clock.t);
      });
      expect((await w.run()).error).toBeUndefined();
      expect(askedAfterActivation(w, from())).toBe(true);
    });

    it('asks when the previous secret is still accepted, contradicting the reply', async () => {
      const w = world('rotate', 'api');
      // A service that answers the activation as done but only dropped the staging.
      w.mc.activate = async () => {
        const staged = w.mc.staged as { secret: string; createdAt: Date };
        w.mc.staged = null;
        return {
          activatedAt: new Date(w.clock.t),
          expiresAt: new Date(staged.createdAt.getTime() + 180 * DAY),
        };
      };
      const { error } = await w.run();
      expect(error?.message).toMatch(/After activation the token endpoint rejects the new secret/);
    });

    it('takes a failed check of the previous secret for a note once the escrow is deleted', async () => {
      const w = world('rotate', 'api');
      const check = w.mc.check.bind(w.mc);
      watch(w, () => {
        w.mc.check = async (secret) => {
          if (secret === 'OLD') throw new Error('token endpoint unreachable');
          return check(secret);
        };
      });
      const { error, result } = await w.run();
      expect(error).toBeUndefined();
      expect(result.rotated).toBe(true);
      expect(result.notes).toContain(
        "The previous secret's rejection could not be checked (token endpoint unreachable).",
      );
      expect(w.secrets.values.has(ESCROW.id)).toBe(false);
    });

    it('asks in a run that did not stage the secret itself (the activate job)', async () => {
      const w = world('stage', 'api');
      expect((await w.run()).error).toBeUndefined();
      const staged = w.secrets.values.get(ESCROW.id)?.value;
      expect(staged).toBe('NEW1');
      const from = watch(w);
      expect((await w.run({ mode: 'activate', stagedClientSecret: staged, runId: 8 })).error).toBeUndefined();
      expect(askedAfterActivation(w, from())).toBe(true);
    });
  });
});
