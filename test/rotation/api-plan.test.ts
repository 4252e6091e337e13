// What the management-API flow decides to do next, for each situation under
// each mode (src/rotation/api-plan.ts): a pure function, so every row of the
// decision table runs in milliseconds, without ports or HTTP.
import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/errors.ts';
import { type Mode, modes } from '../../src/modes.ts';
import { type Action, describeActions, planApi } from '../../src/rotation/api-plan.ts';
import type { InHand, Situation } from '../../src/rotation/assess.ts';
import { byMode, rotationRecord } from '../support/plan-table.ts';

const ACTIVE: InHand = { secret: 'OLD', fingerprint: 'fp-old', accepted: true };
const STAGED: InHand = { secret: 'NEW', fingerprint: 'fp-new', accepted: true };
const RECORD = rotationRecord(STAGED.fingerprint);

const ROTATION = ['await-usable', 'publish', 'verify', 'activate', 'confirm'];
/** The steps only, or a refusal: an ActionError and the input it names. */
type Expected = string[] | { refused: string };

function steps(
  situation: Situation,
  mode: Mode,
  due = true,
  unconfirmed = false,
  rotatedThisRun = false,
): Expected {
  try {
    return planApi({ situation, mode, due, unconfirmed, rotatedThisRun }).map((a) => a.step);
  } catch (error) {
    if (!(error instanceof ActionError)) throw error;
    return { refused: error.subject };
  }
}

const row = byMode<Expected>;

const stageThen = (...rest: string[]) => ['stage', ...rest];
const refused = (subject: string) => ({ refused: subject });
const table: Array<{
  name: string;
  situation: Situation;
  due?: boolean;
  unconfirmed?: boolean;
  rotatedThisRun?: boolean;
  expected: Record<Mode, Expected>;
}> = [
  {
    name: 'idle, due',
    situation: { kind: 'idle' },
    expected: row(
      stageThen(...ROTATION),
      stageThen(...ROTATION),
      ['stage'],
      refused('mode'),
      stageThen(...ROTATION),
      stageThen(...ROTATION),
    ),
  },
  {
    name: 'idle, not due',
    situation: { kind: 'idle' },
    due: false,
    expected: row([], stageThen(...ROTATION), ['stage'], refused('mode'), [], stageThen(...ROTATION)),
  },
  {
    name: 'idle, an escrow left unconfirmed',
    situation: { kind: 'idle' },
    unconfirmed: true,
    expected: row(
      stageThen(...ROTATION),
      stageThen(...ROTATION),
      [],
      refused('mode'),
      stageThen(...ROTATION),
      stageThen(...ROTATION),
    ),
  },
  {
    name: 'idle, a rotation an earlier attempt of this run staged is over',
    situation: { kind: 'idle' },
    rotatedThisRun: true,
    expected: row([], [], [], [], [], []),
  },
  {
    name: 'in progress',
    situation: { kind: 'in-progress', staged: STAGED, record: RECORD },
    expected: row(ROTATION, ROTATION, [], ROTATION, ROTATION, ROTATION),
  },
  {
    name: 'activated, not confirmed',
    situation: { kind: 'activated', secret: STAGED, record: RECORD },
    expected: row(
      ...Array(4).fill(['publish', 'confirm']).with(2, []),
      ['publish', 'confirm'],
      ['publish', 'confirm'],
    ),
  },
  {
    name: 'staged elsewhere, no destination holds it',
    situation: { kind: 'staged-not-in-hand', mayBeHeld: false, why: 'w' },
    expected: row(
      stageThen(...ROTATION),
      stageThen(...ROTATION),
      ['stage'],
      refused('staged-client-secret'),
      stageThen(...ROTATION),
      stageThen(...ROTATION),
    ),
  },
  {
    name: 'staged elsewhere and escrowed, no destination holds it',
    situation: { kind: 'staged-not-in-hand', mayBeHeld: false, why: 'w', escrowed: true },
    expected: row(
      stageThen(...ROTATION),
      stageThen(...ROTATION),
      [],
      refused('staged-client-secret'),
      stageThen(...ROTATION),
      stageThen(...ROTATION),
    ),
  },
  {
    name: 'staged elsewhere, destinations may hold it, active in hand',
    situation: { kind: 'staged-not-in-hand', mayBeHeld: true, active: ACTIVE, why: 'w' },
    expected: row(
      ['restore', 'stage', ...ROTATION],
      ['restore', 'stage', ...ROTATION],
      ['restore', 'stage'],
      refused('staged-client-secret'),
      ['restore', 'stage', ...ROTATION],
      ['restore', 'stage', ...ROTATION],
    ),
  },
  {
    name: 'staged elsewhere, destinations may hold it, active not in hand',
    situation: { kind: 'staged-not-in-hand', mayBeHeld: true, why: 'w' },
    expected: row(...Array(6).fill(refused('client-secret')).with(3, refused('staged-client-secret'))),
  },
  {
    name: 'blocked',
    situation: { kind: 'blocked', why: 'w' },
    expected: row(...Array(6).fill(refused('staged-client-secret'))),
  },
  {
    name: 'blocked, the escrow written after the staging',
    situation: { kind: 'blocked', why: 'w', escrowed: true },
    expected: row(...Array(6).fill(refused('staged-client-secret')).with(2, [])),
  },
];

describe('planApi: each situation under each mode', () => {
  for (const { name, situation, due, unconfirmed, rotatedThisRun, expected } of table) {
    for (const mode of modes) {
      it(`${name}: ${mode}`, () => {
        expect(steps(situation, mode, due ?? true, unconfirmed ?? false, rotatedThisRun)).toEqual(
          expected[mode],
        );
      });
    }
  }
});

describe('planApi: what the steps carry', () => {
  it('restores the active secret in hand, with the reason, before re-staging', () => {
    const actions = planApi({
      situation: {
        kind: 'staged-not-in-hand',
        mayBeHeld: true,
        active: ACTIVE,
        why: 'staged by someone else',
      },
      mode: 'rotate',
      due: false,
      unconfirmed: false,
    });
    expect(actions.slice(0, 2)).toEqual<Action[]>([
      { step: 'restore', active: ACTIVE, why: 'staged by someone else' },
      { step: 'stage', why: 're-stage: staged by someone else' },
    ]);
  });

  it('says why it stages: a due secret under auto, else the mode', () => {
    const why = (mode: Mode) =>
      planApi({ situation: { kind: 'idle' }, mode, due: true, unconfirmed: false })[0];
    expect(why('auto')).toEqual({ step: 'stage', why: 'the active secret is due for rotation' });
    expect(why('status')).toEqual({ step: 'stage', why: 'mode status' });
    expect(why('rotate')).toEqual({ step: 'stage', why: 'mode rotate' });
  });

  it('describes each step for the summary, with its reason', () => {
    expect(describeActions([{ step: 'stage', why: 'mode rotate' }, { step: 'verify' }])).toEqual([
      'stage: generate a new staged secret and write it to the escrow (mode rotate)',
      'verify: request a token with the staged secret',
    ]);
  });
});
