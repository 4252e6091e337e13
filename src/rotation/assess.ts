// Decides where a rotation stands from what this run can observe: the saved
// state, Marketing Cloud's status, the secrets in hand (identified by
// fingerprint) and the escrow secret's age. Pure: no I/O.
import type { SecretStatus } from './ports.ts';
import type { RotationRecord, RotationState } from './state.ts';

/** A secret this run received as an input, with what the token endpoint said of it. */
export interface InHand {
  secret: string;
  fingerprint: string;
  /** Accepted by the token endpoint during preflight. A staged secret is rejected until usable. */
  accepted: boolean;
}

export interface Facts {
  state?: RotationState;
  status: SecretStatus;
  current: InHand;
  escrowed?: InHand;
  /** `updated_at` of the escrow secret in GitHub; undefined when it does not exist. */
  escrowUpdatedAt?: Date;
  /** The escrow was looked up, so an undefined `escrowUpdatedAt` says it does not exist (else it may be unread). */
  escrowChecked?: boolean;
  /** Destinations not written since the stored rotation's staging; undefined when not read. */
  staleDestinations?: string[];
}

export type Situation =
  /** Nothing in progress. */
  | { kind: 'idle' }
  /** A staged secret we hold; continue the rotation (every destination is written again). */
  | { kind: 'in-progress'; staged: InHand; record: RotationRecord }
  /** The staged secret was activated; finish: publish, confirm. */
  | { kind: 'activated'; secret: InHand; record: RotationRecord }
  /**
   * Marketing Cloud holds a staged secret this run does not have. When
   * destinations may hold it, the active secret must be put back first.
   */
  | {
      kind: 'staged-not-in-hand';
      mayBeHeld: boolean;
      active?: InHand;
      why: string;
      /** The escrow was written after the staging: a run that receives it can resume. */
      escrowed?: boolean;
    }
  /** Nothing safe can be done without the user. */
  | { kind: 'blocked'; why: string; escrowed?: boolean };

/** Marketing Cloud and the state record times of one event to the second; allow for rounding. */
const ROUNDING_MS = 1000;

/** Two records of one instant (Marketing Cloud's and the state's). */
export function sameInstant(a: Date | string, b: Date | string): boolean {
  return Math.abs(new Date(a).getTime() - new Date(b).getTime()) < ROUNDING_MS;
}

/** `a` is at or after `b`, allowing for rounding. */
export function notBefore(a: Date, b: Date | string): boolean {
  return a.getTime() >= new Date(b).getTime() - ROUNDING_MS;
}

/** Marketing Cloud activated a secret at or after a staging (both times are its own). */
export function activatedSince(
  status: Pick<SecretStatus, 'lastActivatedAt'>,
  stagedAt: Date | string,
): boolean {
  return status.lastActivatedAt !== null && status.lastActivatedAt.getTime() >= new Date(stagedAt).getTime();
}

/**
 * GitHub's and Marketing Cloud's clocks may differ by this much: a secret
 * written before a staging began, with this grace, belongs to an earlier
 * rotation (the escrow is written seconds after staging).
 */
export const SKEW_MS = 60_000;

/** The rotation the stored state says is under way: its record, unless the state is idle. */
export function recordUnderWay(
  state: Pick<RotationState, 'phase' | 'rotation'> | undefined,
): RotationRecord | undefined {
  return state && state.phase !== 'idle' ? (state.rotation ?? undefined) : undefined;
}

function candidates(facts: Facts): InHand[] {
  const list = facts.escrowed ? [facts.escrowed, facts.current] : [facts.current];
  return list.filter((s, i) => list.findIndex((t) => t.fingerprint === s.fingerprint) === i);
}

/**
 * Why the stored rotation cannot be true, by what Marketing Cloud and the
 * secrets in hand show; undefined when it may be. Such a state (forged, or
 * from another tenant) must not decide anything: the caller sets it aside.
 */
export function stateContradicts(facts: Facts): string | undefined {
  const { status, state } = facts;
  const record = recordUnderWay(state);
  if (!record) return undefined;
  const stagedAt = new Date(record.stagedAt);
  if (status.lastGeneratedAt === null || !notBefore(status.lastGeneratedAt, stagedAt)) {
    return (
      `it records a secret staged at ${record.stagedAt}, but Marketing Cloud last generated one ` +
      (status.lastGeneratedAt ? `at ${status.lastGeneratedAt.toISOString()}` : 'never')
    );
  }
  const held = candidates(facts).some((s) => s.fingerprint === record.stagedFingerprint);
  const claimsActivation = state?.phase === 'activated' || activatedSince(status, stagedAt);
  // With nothing staged Marketing Cloud accepts only its active secret: if
  // that is client-secret, the recorded secret is not the active one.
  if (!status.staged && !held && claimsActivation && facts.current.accepted) {
    return (
      `it says the secret staged at ${record.stagedAt} was activated, but Marketing Cloud has nothing staged and ` +
      'accepts client-secret, a different secret'
    );
  }
  return undefined;
}

/**
 * The stored rotation, when the platforms show it is over: Marketing Cloud
 * activated a secret since its staging and accepts the recorded one, in hand,
 * every destination was written since the staging, and its escrow is gone
 * (confirm deletes it last). Confirm saves no state (docs/DESIGN.md,
 * "Saves"), so this is how a later run learns it.
 */
export function rotationOver(facts: Facts): RotationRecord | undefined {
  const { status } = facts;
  const record = recordUnderWay(facts.state);
  if (!record || !gitHubShowsOver(facts) || !activatedSince(status, record.stagedAt)) return undefined;
  return byFingerprint(facts, record.stagedFingerprint)?.accepted ? record : undefined;
}

/** GitHub's half of that evidence: the escrow looked up and gone, every destination read and written since the staging. */
export function gitHubShowsOver(
  facts: Pick<Facts, 'escrowChecked' | 'escrowUpdatedAt' | 'staleDestinations'>,
): boolean {
  return (
    facts.escrowChecked === true &&
    facts.escrowUpdatedAt === undefined &&
    facts.staleDestinations?.length === 0
  );
}

export function assess(facts: Facts): Situation {
  const { status, state } = facts;
  const record = recordUnderWay(state);
  return status.staged ? whileStaged(facts, status.staged, record) : whileNothingStaged(facts, record);
}

function byFingerprint(facts: Facts, fp: string): InHand | undefined {
  return candidates(facts).find((s) => s.fingerprint === fp);
}

type StagedOnMc = NonNullable<Facts['status']['staged']>;

/** Marketing Cloud has a staged secret: the state's, one escrowed without state, or one nobody escrowed. */
function whileStaged(facts: Facts, staged: StagedOnMc, record: RotationRecord | undefined): Situation {
  // Trust the escrow only if it was written after the staging began.
  const escrowFresh =
    facts.escrowUpdatedAt !== undefined &&
    facts.escrowUpdatedAt.getTime() >= staged.createdAt.getTime() - SKEW_MS;
  if (record && sameInstant(record.stagedAt, staged.createdAt)) {
    const held = byFingerprint(facts, record.stagedFingerprint);
    if (held) return { kind: 'in-progress', staged: held, record };
    // Publishing starts only after the state says `staged`, so some
    // destinations may hold the staged secret.
    const active = candidates(facts).find((s) => s.accepted && s.fingerprint !== record.stagedFingerprint);
    return {
      kind: 'staged-not-in-hand',
      mayBeHeld: true,
      active,
      why: 'the staged secret recorded in the state was not passed in (staged-client-secret) and no input matches it',
      escrowed: escrowFresh,
    };
  }
  return unrecordedStaging(facts, staged, escrowFresh);
}

/**
 * No record of this staging. An escrow equal to client-secret is the staged
 * secret already published to the destination client-secret comes from,
 * unless it was written before the last activation (then it is the active
 * secret, left from an earlier rotation).
 */
function unrecordedStaging(facts: Facts, staged: StagedOnMc, escrowFresh: boolean): Situation {
  const { status } = facts;
  const escrowed = facts.escrowed;
  const isCurrent = escrowed?.fingerprint === facts.current.fingerprint;
  const writtenSinceActivation =
    status.lastActivatedAt === null ||
    (facts.escrowUpdatedAt !== undefined && facts.escrowUpdatedAt > status.lastActivatedAt);
  if (escrowFresh && escrowed && (!isCurrent || writtenSinceActivation)) {
    return {
      kind: 'in-progress',
      staged: escrowed,
      record: {
        stagedFingerprint: escrowed.fingerprint,
        previousFingerprint: facts.current.accepted && !isCurrent ? facts.current.fingerprint : undefined,
        stagedAt: staged.createdAt.toISOString(),
        usableAt: staged.usableAt.toISOString(),
        expiresAt: staged.expiresAt.toISOString(),
        escrowId: '',
        publishedTo: [],
        stagedByRun: 0,
      },
    };
  }
  if (escrowFresh) {
    return {
      kind: 'blocked',
      why:
        'Marketing Cloud has a staged secret and the escrow secret was written after it was staged, but this run ' +
        'did not receive it as a different value from client-secret. Pass the escrow secret as the ' +
        '`staged-client-secret` input and run again. If another run of this workflow is rotating this client ' +
        'right now, let it finish instead.',
      escrowed: true,
    };
  }
  // The escrow predates this staging (or is absent): no run of this action
  // got far enough to publish it, so no destination holds it.
  return {
    kind: 'staged-not-in-hand',
    mayBeHeld: false,
    active: facts.current.accepted ? facts.current : undefined,
    why: 'Marketing Cloud has a staged secret that was never escrowed by this action (a run stopped right after staging, or it was generated in Setup)',
  };
}

/** Nothing staged on Marketing Cloud: the state's staging was activated, or lost, or none is under way. */
function whileNothingStaged(facts: Facts, record: RotationRecord | undefined): Situation {
  const { status, state } = facts;
  if (record) {
    const activated = activatedSince(status, record.stagedAt);
    const held = byFingerprint(facts, record.stagedFingerprint);
    if (activated && held) return { kind: 'activated', secret: held, record };
    if (activated) {
      return {
        kind: 'blocked',
        why:
          'The staged secret was activated, but this run holds neither it nor a copy: pass the escrow secret ' +
          '(`staged-client-secret`) or the new secret as `client-secret` so it can be delivered and confirmed.',
      };
    }
    if (state?.phase === 'published' || record.publishedTo.length > 0 || state?.phase === 'staged') {
      return {
        kind: 'staged-not-in-hand',
        mayBeHeld: true,
        active: candidates(facts).find((s) => s.accepted && s.fingerprint !== record.stagedFingerprint),
        why: 'the secret staged by an earlier run is no longer staged in Marketing Cloud and was not activated (it expired or was revoked)',
      };
    }
  }
  // A run that activated but lost its state: the escrow copy is the active
  // secret (nothing else is accepted while nothing is staged), so confirm
  // never ran; the destinations may still hold the old one.
  if (
    facts.escrowed?.accepted &&
    facts.escrowUpdatedAt !== undefined &&
    (!facts.current.accepted || facts.current.fingerprint === facts.escrowed.fingerprint)
  ) {
    return {
      kind: 'activated',
      secret: facts.escrowed,
      record: {
        stagedFingerprint: facts.escrowed.fingerprint,
        stagedAt: (status.lastGeneratedAt ?? status.active.createdAt).toISOString(),
        usableAt: (status.lastGeneratedAt ?? status.active.createdAt).toISOString(),
        expiresAt: status.active.expiresAt.toISOString(),
        escrowId: '',
        publishedTo: [],
        stagedByRun: 0,
      },
    };
  }
  return { kind: 'idle' };
}
