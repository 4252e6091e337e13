// What the Setup flow decides (src/rotation/setup-plan.ts): where the rotation
// stands from the secrets in hand and the stored state, which secret is active
// and which age counts, and what to do next for each situation under each
// mode. Pure functions, so every row runs in milliseconds, without ports or HTTP.
import { describe, expect, it } from 'vitest';
import { type Mode, modes } from '../../src/modes.ts';
import type { InHand } from '../../src/rotation/assess.ts';
import { oldestAge } from '../../src/rotation/result.ts';
import {
  activeOf,
  assessSetup,
  describeSetupActions,
  planSetup,
  type SetupFacts,
  type SetupSituation,
} from '../../src/rotation/setup-plan.ts';
import type { Phase, RotationRecord } from '../../src/rotation/state.ts';
import { byMode, rotationRecord } from '../support/plan-table.ts';

const secret = (name: string, accepted: boolean): InHand => ({
  secret: name,
  fingerprint: `fp-${name}`,
  accepted,
});
const OLD = secret('OLD', true);
const OLD_REJECTED = secret('OLD', false);
const NEW = secret('NEW', true);
/** A staged secret generated less than 5 minutes ago, or replaced since: the token endpoint rejects it. */
const NEW_REJECTED = secret('NEW', false);
const PREVIOUS = secret('PREV', true);

const record = (staged: InHand, previous?: InHand) =>
  rotationRecord(staged.fingerprint, previous?.fingerprint);
const state = (phase: Phase, rotation: RotationRecord) => ({ phase, rotation });
/** GitHub looked: no escrow, no previous escrow (the API flow writes none), no destination left unwritten since the staging. */
const shownOver = { escrowChecked: true, staleDestinations: [], previousEscrowGone: true };

/** The situation's kind, its secrets by name, and which record it follows. */
type Assessed = Record<string, string | undefined>;

function assessed(facts: SetupFacts): Assessed {
  const { situation, record, finished } = assessSetup(facts);
  const names = Object.fromEntries(
    Object.entries(situation).map(([key, value]: [string, string | InHand | undefined]) => [
      key,
      typeof value === 'object' ? value.secret : value,
    ]),
  );
  const follows = !record ? 'none' : 'stored' in record ? 'stored' : `escrowed ${record.escrowed.secret}`;
  return { ...names, follows, ...(finished && { finished: finished.stagedFingerprint }) };
}

describe('assessSetup: where the rotation stands', () => {
  const table: Array<{ name: string; facts: SetupFacts; expected: Assessed }> = [
    {
      name: 'only client-secret',
      facts: { current: OLD },
      expected: { kind: 'idle', follows: 'none' },
    },
    {
      name: 'an escrow equal to client-secret (left from the last rotation)',
      facts: { current: OLD, escrowed: OLD },
      expected: { kind: 'idle', follows: 'none' },
    },
    {
      name: 'a new escrow, not usable yet',
      facts: { current: OLD, escrowed: NEW_REJECTED },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'escrowed NEW' },
    },
    {
      name: 'a new escrow, usable',
      facts: { current: OLD, escrowed: NEW },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'escrowed NEW' },
    },
    {
      name: 'a new escrow accepted while client-secret is rejected: activated before it was distributed',
      facts: { current: OLD_REJECTED, escrowed: NEW },
      expected: { kind: 'activated-early', staged: 'NEW', follows: 'escrowed NEW' },
    },
    {
      name: 'the recorded staging escrowed, state staged',
      facts: { current: OLD, escrowed: NEW, state: state('staged', record(NEW, OLD)) },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'the recorded staging escrowed, state staged, activated since',
      facts: { current: OLD_REJECTED, escrowed: NEW, state: state('staged', record(NEW, OLD)) },
      expected: { kind: 'activated-early', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'the recorded staging escrowed, state published, still accepted',
      facts: {
        current: OLD,
        escrowed: NEW,
        previous: PREVIOUS,
        state: state('published', record(NEW, PREVIOUS)),
      },
      expected: { kind: 'distributed', staged: 'NEW', old: 'PREV', follows: 'stored' },
    },
    {
      name: 'state published, the old secret is client-secret',
      facts: { current: OLD, escrowed: NEW, state: state('published', record(NEW, OLD)) },
      expected: { kind: 'distributed', staged: 'NEW', old: 'OLD', follows: 'stored' },
    },
    {
      name: 'state published, client-secret is the staged one, the old one not in hand',
      facts: { current: NEW, state: state('published', record(NEW, OLD)) },
      expected: { kind: 'distributed', staged: 'NEW', old: undefined, follows: 'stored' },
    },
    {
      name: 'state staged, client-secret is the staged one, GitHub shows no escrow and every destination written since: a finished API rotation',
      facts: { current: NEW, state: state('staged', record(NEW, OLD)), ...shownOver },
      expected: { kind: 'idle', follows: 'none', finished: 'fp-NEW' },
    },
    {
      name: 'the same with the old secret in hand, rejected',
      facts: { current: NEW, previous: OLD_REJECTED, state: state('staged', record(NEW, OLD)), ...shownOver },
      expected: { kind: 'idle', follows: 'none', finished: 'fp-NEW' },
    },
    {
      name: 'state staged, client-secret is the staged one, an escrow not passed in: distributing, killed',
      facts: {
        current: NEW,
        state: state('staged', record(NEW, OLD)),
        ...shownOver,
        escrowUpdatedAt: new Date('2026-11-01T00:00:00Z'),
      },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'no escrow, but a destination not written since the staging: a distribution that stopped half way',
      facts: {
        current: NEW,
        state: state('staged', record(NEW, OLD)),
        ...shownOver,
        staleDestinations: ['b'],
      },
      expected: { kind: 'activated-early', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'no escrow, the destinations unread (a read failed): not taken for finished, written at once',
      facts: {
        current: NEW,
        state: state('staged', record(NEW, OLD)),
        escrowChecked: true,
        previousEscrowGone: true,
      },
      expected: { kind: 'activated-early', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'no escrow, no previous secret in hand, but GitHub shows a previous escrow: no evidence of activation, distributed again',
      facts: {
        current: NEW,
        state: state('staged', record(NEW, OLD)),
        ...shownOver,
        previousEscrowGone: false,
      },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'a newer staging escrowed over a stored one that still works: the newer one is distributed',
      facts: {
        current: NEW,
        escrowed: PREVIOUS,
        previous: OLD_REJECTED,
        state: state('published', record(NEW, OLD)),
      },
      expected: { kind: 'distribute', staged: 'PREV', follows: 'escrowed PREV' },
    },
    {
      name: 'a newer staging escrowed, usable, over a replaced one the workflow holds, the old one still active: distributed',
      facts: {
        current: NEW_REJECTED,
        escrowed: PREVIOUS,
        previous: OLD,
        state: state('published', record(NEW, OLD)),
      },
      expected: { kind: 'distribute', staged: 'PREV', follows: 'escrowed PREV' },
    },
    {
      name: 'a newer staging escrowed, not usable yet, over a replaced one the workflow holds: the old one goes back first',
      facts: {
        current: NEW_REJECTED,
        escrowed: secret('PREV', false),
        previous: OLD,
        state: state('staged', record(NEW, OLD)),
      },
      expected: { kind: 'staged-broken', staged: 'NEW', old: 'OLD', follows: 'stored' },
    },
    {
      name: 'the escrow unread (a read failed): nothing shown, distributed again',
      facts: { current: NEW, state: state('staged', record(NEW, OLD)), staleDestinations: [] },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'no escrow, every destination written, but the old secret in hand still accepted: not activated',
      facts: { current: NEW, previous: OLD, state: state('staged', record(NEW, OLD)), ...shownOver },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'state staged, client-secret is the staged one, the escrow still there',
      facts: { current: NEW, escrowed: NEW, state: state('staged', record(NEW, OLD)) },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'state published, the staged secret now rejected',
      facts: {
        current: OLD,
        escrowed: NEW_REJECTED,
        previous: PREVIOUS,
        state: state('published', record(NEW, PREVIOUS)),
      },
      expected: { kind: 'staged-broken', staged: 'NEW', old: 'PREV', follows: 'stored' },
    },
    {
      name: 'state activated (not a Setup phase): distribute again',
      facts: { current: OLD, escrowed: NEW, state: state('activated', record(NEW, OLD)) },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'stored' },
    },
    {
      name: 'the state records a staging not in hand, a new escrow',
      facts: { current: OLD, escrowed: NEW, state: state('published', record(secret('GONE', true))) },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'escrowed NEW' },
    },
    {
      name: 'the state records a staging not in hand, no escrow',
      facts: { current: OLD, state: state('published', record(secret('GONE', true))) },
      expected: { kind: 'idle', follows: 'none' },
    },
    {
      name: 'an idle state’s record is not followed',
      facts: { current: OLD, escrowed: NEW, state: state('idle', record(NEW, OLD)) },
      expected: { kind: 'distribute', staged: 'NEW', follows: 'escrowed NEW' },
    },
  ];
  it.each(table)('$name', ({ facts, expected }) => {
    expect(assessed(facts)).toEqual(expected);
  });

  it('follows the state’s own record', () => {
    const stored = record(NEW, OLD);
    expect(assessSetup({ current: OLD, escrowed: NEW, state: state('staged', stored) }).record).toEqual({
      stored,
    });
  });
});

const SITUATIONS: Record<SetupSituation['kind'], SetupSituation> = {
  idle: { kind: 'idle' },
  distribute: { kind: 'distribute', staged: NEW },
  'activated-early': { kind: 'activated-early', staged: NEW },
  distributed: { kind: 'distributed', staged: NEW, old: PREVIOUS },
  'staged-broken': { kind: 'staged-broken', staged: NEW_REJECTED, old: PREVIOUS },
};

describe('activeOf: the secret Marketing Cloud has active, as far as the run can tell', () => {
  const table: Array<[string, SetupSituation, Pick<SetupFacts, 'current' | 'previous'>, string | undefined]> =
    [
      ['idle: client-secret', SITUATIONS.idle, { current: OLD }, 'OLD'],
      [
        'idle, client-secret rejected: the previous secret',
        SITUATIONS.idle,
        { current: OLD_REJECTED, previous: PREVIOUS },
        'PREV',
      ],
      ['idle, nothing accepted', SITUATIONS.idle, { current: OLD_REJECTED }, undefined],
      ['distribute: client-secret', SITUATIONS.distribute, { current: OLD }, 'OLD'],
      ['distribute, client-secret rejected', SITUATIONS.distribute, { current: OLD_REJECTED }, undefined],
      ['activated early: the staged secret', SITUATIONS['activated-early'], { current: OLD_REJECTED }, 'NEW'],
      ['distributed, the old one still accepted', SITUATIONS.distributed, { current: OLD }, 'PREV'],
      [
        'distributed, the old one rejected: the staged secret',
        { kind: 'distributed', staged: NEW, old: secret('PREV', false) },
        { current: OLD },
        'NEW',
      ],
      [
        'distributed, the old one not in hand: unknown',
        { kind: 'distributed', staged: NEW },
        { current: NEW },
        undefined,
      ],
      ['staged broken: the old one', SITUATIONS['staged-broken'], { current: OLD }, 'PREV'],
    ];
  it.each(table)('%s', (_name, situation, inHand, expected) => {
    expect(activeOf(situation, inHand)?.secret).toBe(expected);
  });
});

describe('oldestAge: the age that counts', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  it('takes the oldest reading, whatever its source', () => {
    expect(
      oldestAge([
        { at: at(20), source: 'state' },
        { at: at(5), source: 'destination' },
        { at: at(9), source: 'destination' },
      ]),
    ).toEqual({ at: at(5), source: 'destination' });
    expect(
      oldestAge([
        { at: at(3), source: 'state' },
        { at: at(5), source: 'destination' },
      ]),
    ).toEqual({ at: at(3), source: 'state' });
  });

  it('names the first source of equal readings, and none when no source knows', () => {
    expect(
      oldestAge([
        { at: at(5), source: 'state' },
        { at: at(5), source: 'destination' },
      ]),
    ).toEqual({ at: at(5), source: 'state' });
    expect(oldestAge([])).toBeUndefined();
  });
});

const DISTRIBUTE = ['await-usable', 'publish', 'verify', 'remind'];

const row = byMode<string[]>;
const everyMode = (steps: string[]) => row(...Array(modes.length).fill(steps));

describe('planSetup: each situation under each mode', () => {
  const table: Array<{
    name: string;
    situation: SetupSituation;
    due: boolean;
    expected: Record<Mode, string[]>;
  }> = [
    // `rotate`, `stage` and `activate` remind even when not due; `auto`, `status` and `plan` only when due.
    { name: 'idle, due', situation: SITUATIONS.idle, due: true, expected: everyMode(['remind']) },
    {
      name: 'idle, not due',
      situation: SITUATIONS.idle,
      due: false,
      expected: row([], ['remind'], ['remind'], ['remind'], [], []),
    },
    // A staged secret in hand is carried on under every mode, due or not.
    ...[true, false].flatMap((due) => [
      {
        name: `distribute, due ${due}`,
        situation: SITUATIONS.distribute,
        due,
        expected: everyMode(DISTRIBUTE),
      },
      {
        name: `activated early, due ${due}`,
        situation: SITUATIONS['activated-early'],
        due,
        expected: everyMode(['publish', 'confirm']),
      },
      {
        name: `distributed, due ${due}`,
        situation: SITUATIONS.distributed,
        due,
        expected: everyMode(['confirm']),
      },
      {
        name: `staged broken, due ${due}`,
        situation: SITUATIONS['staged-broken'],
        due,
        expected: everyMode(['restore', 'remind']),
      },
    ]),
  ];
  for (const { name, situation, due, expected } of table) {
    for (const mode of modes) {
      it(`${name}: ${mode}`, () => {
        expect(planSetup({ situation, mode, due }).map((a) => a.step)).toEqual(expected[mode]);
      });
    }
  }
});

describe('planSetup: what the steps say', () => {
  it('describes each step for the summary, as it does in the situation', () => {
    expect(
      describeSetupActions(planSetup({ situation: SITUATIONS.distribute, mode: 'auto', due: false })),
    ).toEqual([
      'await-usable: wait until the token endpoint accepts the staged secret',
      'publish: seal and write it to every destination; keep the active one in the previous-secret escrow',
      'verify: request a token with it',
      'remind: ask for it to be activated in Setup',
    ]);
    expect(
      describeSetupActions(planSetup({ situation: SITUATIONS['activated-early'], mode: 'auto', due: false })),
    ).toEqual([
      'publish: write the activated secret to every destination at once',
      'confirm: delete the escrow secrets',
    ]);
  });
});
