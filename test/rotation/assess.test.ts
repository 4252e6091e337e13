import { describe, expect, it } from 'vitest';
import { assess, type Facts, type InHand, rotationOver } from '../../src/rotation/assess.ts';
import { fingerprint } from '../../src/rotation/fingerprint.ts';
import type { SecretStatus } from '../../src/rotation/ports.ts';
import type { RotationState } from '../../src/rotation/state.ts';
import { stateDocument } from '../support/state-document.ts';

const CLIENT = 'abcdefgh12345678';
const T0 = Date.parse('2026-11-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

function held(secret: string, accepted = true): InHand {
  return { secret, fingerprint: fingerprint(CLIENT, secret), accepted };
}

function status(overrides: Partial<SecretStatus> = {}): SecretStatus {
  return {
    clientId: CLIENT,
    active: { createdAt: at(-100 * 86_400_000), expiresAt: at(80 * 86_400_000) },
    staged: null,
    lastGeneratedAt: null,
    lastActivatedAt: null,
    ...overrides,
  };
}

const stagedOnMc = {
  createdAt: at(0),
  usableAt: at(300_000),
  expiresAt: at(180 * 86_400_000),
  description: 'x',
};

function state(phase: RotationState['phase'], staged = 'NEW', publishedTo: string[] = []): RotationState {
  return stateDocument(CLIENT, at(1000), {
    phase,
    rotation:
      phase === 'idle'
        ? null
        : {
            stagedFingerprint: fingerprint(CLIENT, staged),
            previousFingerprint: fingerprint(CLIENT, 'OLD'),
            stagedAt: at(0).toISOString(),
            usableAt: at(300_000).toISOString(),
            expiresAt: at(180 * 86_400_000).toISOString(),
            escrowId: 'repo:o/r',
            publishedTo,
            stagedByRun: 1,
          },
  });
}

describe('assess', () => {
  it('is idle when nothing is staged and no rotation is recorded', () => {
    expect(assess({ status: status(), current: held('OLD') }).kind).toBe('idle');
  });

  it('resumes the recorded rotation when the staged secret is in hand by fingerprint', () => {
    const facts: Facts = {
      state: state('published'),
      status: status({ staged: stagedOnMc }),
      current: held('NEW'),
      escrowed: held('NEW'),
    };
    const s = assess(facts);
    expect(s).toMatchObject({
      kind: 'in-progress',
      record: { stagedFingerprint: fingerprint(CLIENT, 'NEW') },
    });
    if (s.kind === 'in-progress') expect(s.staged.secret).toBe('NEW');
  });

  it('does not trust an escrowed value whose fingerprint differs from the recorded staging', () => {
    const s = assess({
      state: state('staged'),
      status: status({ staged: stagedOnMc }),
      current: held('OLD'),
      escrowed: held('SOMETHING-ELSE', false),
    });
    expect(s).toMatchObject({ kind: 'staged-not-in-hand', mayBeHeld: true });
    if (s.kind === 'staged-not-in-hand') expect(s.active?.secret).toBe('OLD');
  });

  it('without a record trusts the escrow only when it was written after the staging', () => {
    const base = {
      status: status({ staged: stagedOnMc }),
      current: held('OLD'),
      escrowed: held('NEW', false),
    };
    expect(assess({ ...base, escrowUpdatedAt: at(2000) })).toMatchObject({
      kind: 'in-progress',
      staged: { secret: 'NEW' },
    });
    // An escrow left from an earlier rotation predates the staging: re-stage, nothing was published.
    expect(assess({ ...base, escrowUpdatedAt: at(-600_000) })).toMatchObject({
      kind: 'staged-not-in-hand',
      mayBeHeld: false,
    });
  });

  it('re-stages when staged but never escrowed (killed between stage and escrow write)', () => {
    const s = assess({ state: state('idle'), status: status({ staged: stagedOnMc }), current: held('OLD') });
    expect(s).toMatchObject({ kind: 'staged-not-in-hand', mayBeHeld: false });
  });

  it('blocks when the escrow is fresh but its value was not passed in', () => {
    const s = assess({
      status: status({ staged: stagedOnMc }),
      current: held('OLD'),
      escrowUpdatedAt: at(1000),
    });
    expect(s.kind).toBe('blocked');
  });

  it('sees an activation that happened after the recorded staging', () => {
    const s = assess({
      state: state('published'),
      status: status({ lastActivatedAt: at(400_000) }),
      current: held('NEW'),
    });
    expect(s).toMatchObject({ kind: 'activated', secret: { secret: 'NEW' } });
  });

  it('takes a stored rotation for over only on the platforms’ word: activated, delivered, escrow gone', () => {
    const over: Facts = {
      state: state('staged'),
      status: status({ lastActivatedAt: at(400_000) }),
      current: held('NEW'),
      escrowChecked: true,
      staleDestinations: [],
    };
    expect(rotationOver(over)?.stagedFingerprint).toBe(fingerprint(CLIENT, 'NEW'));
    const notOver: Array<[string, Facts]> = [
      ['the escrow not looked up', { ...over, escrowChecked: false }],
      ['the escrow still there', { ...over, escrowUpdatedAt: at(1000) }],
      ['a destination not written since the staging', { ...over, staleDestinations: ['repo:o/r'] }],
      ['the destinations not read', { ...over, staleDestinations: undefined }],
      ['no activation since the staging', { ...over, status: status({ lastActivatedAt: at(-1000) }) }],
      ['the recorded secret rejected', { ...over, current: held('NEW', false) }],
      ['another secret accepted, not the recorded one', { ...over, current: held('LATER') }],
      ['no rotation stored', { ...over, state: stateDocument(CLIENT, at(0), {}) }],
    ];
    for (const [why, facts] of notOver) {
      expect(rotationOver(facts), why).toBeUndefined();
    }
    // Not over, the record still decides: the activated path publishes and confirms.
    expect(assess({ ...over, escrowUpdatedAt: at(1000) })).toMatchObject({ kind: 'activated' });
  });

  it('sees an activation after a staged-only record, holding the escrow copy of the new secret', () => {
    const s = assess({
      state: state('staged'),
      status: status({ lastActivatedAt: at(400_000) }),
      current: held('OLD', false),
      escrowed: held('NEW'),
    });
    expect(s).toMatchObject({ kind: 'activated', secret: { secret: 'NEW' } });
  });

  it('reports a recorded staging that vanished without activation as not in hand, maybe held', () => {
    const s = assess({ state: state('published'), status: status(), current: held('OLD') });
    expect(s).toMatchObject({ kind: 'staged-not-in-hand', mayBeHeld: true });
    if (s.kind === 'staged-not-in-hand') expect(s.active?.secret).toBe('OLD');
  });

  it('recovers an activation whose state was lost: the escrow copy is accepted, the current one rejected', () => {
    const s = assess({
      status: status({ lastActivatedAt: at(400_000) }),
      current: held('OLD', false),
      escrowed: held('NEW'),
      escrowUpdatedAt: at(1000),
    });
    expect(s).toMatchObject({ kind: 'activated', secret: { secret: 'NEW' }, record: { stagedByRun: 0 } });
  });
});
