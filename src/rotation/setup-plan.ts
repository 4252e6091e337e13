// What the rotation through Setup (`management: setup`) does next: a pure
// function of the secrets in hand (and the token endpoint's answer for each),
// the stored state as a hint of where to resume, the mode's row of
// src/modes.ts and whether a rotation is due. setup-flow.ts does the I/O and
// carries the steps out; setup-plan.test.ts covers each situation under each
// mode.
import { type Mode, modeRules, startsWhenIdle } from '../modes.ts';
import { type Facts, gitHubShowsOver, type InHand, recordUnderWay } from './assess.ts';
import type { RotationRecord, RotationState } from './state.ts';

export type SetupSituation =
  /** Nothing staged in hand; remind when due. */
  | { kind: 'idle' }
  /** A staged secret in hand that the destinations do not hold yet. */
  | { kind: 'distribute'; staged: InHand }
  /** The person activated before the destinations were written: they hold a rejected secret. */
  | { kind: 'activated-early'; staged: InHand }
  /** Distributed; waiting for the person to activate, then confirm. */
  | { kind: 'distributed'; staged: InHand; old?: InHand }
  /** The distributed secret stopped working before activation. */
  | { kind: 'staged-broken'; staged: InHand; old?: InHand };

/**
 * The secrets this run received, each with the token endpoint's answer, the
 * stored state, and what GitHub shows of a stored rotation's escrow and
 * destinations (read only when one is stored and no escrow was passed in).
 */
export interface SetupFacts extends Pick<Facts, 'escrowChecked' | 'escrowUpdatedAt' | 'staleDestinations'> {
  /** `client-secret`: the secret the workflow holds. */
  current: InHand;
  /** `staged-client-secret`: the escrow, where the person saves the secret they generated. */
  escrowed?: InHand;
  /** `previous-client-secret`: the secret that was active when the staged one was distributed. */
  previous?: InHand;
  state?: Pick<RotationState, 'phase' | 'rotation'>;
  /** GitHub shows no previous escrow (read with the escrow, when no previous secret was passed in). */
  previousEscrowGone?: boolean;
}

export interface SetupAssessment {
  situation: SetupSituation;
  /**
   * The rotation record to follow: the state's (`stored`), or a new one for a
   * staging the person escrowed that the state does not know (`escrowed`: it
   * starts when the escrow was written, which only GitHub tells); none when idle.
   */
  record?: { stored: RotationRecord } | { escrowed: InHand };
  /** The stored rotation, shown finished: its secret dates the active one. */
  finished?: RotationRecord;
}

/** Where the rotation stands: the state says which secret was staged and whether it was distributed. */
export function assessSetup(facts: SetupFacts): SetupAssessment {
  const { current, escrowed, previous, state } = facts;
  const record = recordUnderWay(state);
  // A staged secret a person escrowed: it differs from the one the workflow holds.
  const fresh = escrowed && escrowed.fingerprint !== current.fingerprint ? escrowed : undefined;
  if (record && fresh && fresh.fingerprint !== record.stagedFingerprint)
    return supersede(facts, record, fresh);
  const takenUp = takeUp(facts, record);
  if (takenUp) return takenUp;
  if (record) {
    const staged = [escrowed, current].find((s) => s?.fingerprint === record.stagedFingerprint);
    const old = [previous, current].find((s) => s && s.fingerprint === record.previousFingerprint);
    if (staged && state?.phase === 'published') {
      const situation: SetupSituation = staged.accepted
        ? { kind: 'distributed', staged, old }
        : { kind: 'staged-broken', staged, old };
      return { situation, record: { stored: record } };
    }
    if (staged) return { situation: undistributed(staged, current, previous), record: { stored: record } };
  }
  if (fresh) return { situation: undistributed(fresh, current, previous), record: { escrowed: fresh } };
  return { situation: { kind: 'idle' } };
}

/**
 * The person escrowed a newer staging than the record's: generating it
 * disabled the record's secret unless that was activated. Its distribution
 * starts over; while it is not usable yet, an active old secret in hand goes
 * back first wherever the record's secret may be, unless that secret is the
 * workflow's, accepted.
 */
function supersede(facts: SetupFacts, record: RotationRecord, fresh: InHand): SetupAssessment {
  const { current, previous } = facts;
  const currentIsRecord = current.fingerprint === record.stagedFingerprint;
  const recordWorks = currentIsRecord && current.accepted;
  const old = [current, previous].find((s) => s?.accepted && s.fingerprint !== record.stagedFingerprint);
  if (!fresh.accepted && !recordWorks && old) {
    return { situation: { kind: 'staged-broken', staged: current, old }, record: { stored: record } };
  }
  // An activation of the newer staging is inferred only when both other candidates for the active secret,
  // the record's and the one before it, are in hand and rejected; else it is distributed and to be activated.
  const recordDead = currentIsRecord && !current.accepted;
  const previousDead = previous?.fingerprint === record.previousFingerprint && previous?.accepted === false;
  const situation: SetupSituation =
    recordDead && previousDead
      ? undistributed(fresh, current, previous)
      : { kind: 'distribute', staged: fresh };
  return { situation, record: { escrowed: fresh } };
}

/**
 * A `staged` record whose secret the workflow holds, accepted, with GitHub
 * showing no escrow, and evidence that it was activated: the previous secret
 * in hand rejected, or, when none is passed in, GitHub showing no previous
 * escrow (this flow writes it before any destination; the API flow never
 * does). That is the API flow's finished rotation (it saves none after
 * confirm), met after a switch to Setup, or this flow's distribution that
 * stopped half way (it saves `staged` before it writes), whose secret a
 * person then activated. Finished when GitHub shows every destination
 * written since the staging; otherwise the secret goes to every destination
 * at once, then confirm.
 */
function takeUp(facts: SetupFacts, record: RotationRecord | undefined): SetupAssessment | undefined {
  const { current, previous, state } = facts;
  const activated = previous ? !previous.accepted : facts.previousEscrowGone === true;
  const held =
    state?.phase === 'staged' &&
    facts.escrowChecked === true &&
    facts.escrowUpdatedAt === undefined &&
    current.accepted &&
    current.fingerprint === record?.stagedFingerprint;
  if (!record || !held || !activated) return undefined;
  return gitHubShowsOver(facts)
    ? { situation: { kind: 'idle' }, finished: record }
    : { situation: { kind: 'activated-early', staged: current }, record: { stored: record } };
}

/**
 * A staged secret the destinations may not hold: distribute it, unless the
 * workflow's own secret is rejected while the staged one works and no
 * previous secret in hand is still accepted (the person activated before the
 * destinations were written: deliver it at once).
 */
export function undistributed(staged: InHand, current: InHand, previous?: InHand): SetupSituation {
  return !current.accepted &&
    staged.accepted &&
    staged.fingerprint !== current.fingerprint &&
    previous?.accepted !== true
    ? { kind: 'activated-early', staged }
    : { kind: 'distribute', staged };
}

/** The secret Marketing Cloud has active, among those in hand, as far as this run can tell. */
export function activeOf(
  situation: SetupSituation,
  { current, previous }: Pick<SetupFacts, 'current' | 'previous'>,
): InHand | undefined {
  switch (situation.kind) {
    case 'idle':
      return [current, previous].find((s) => s?.accepted);
    case 'distribute':
      return current.accepted ? current : undefined;
    case 'activated-early':
      return situation.staged;
    case 'distributed':
      return situation.old?.accepted ? situation.old : situation.old && situation.staged;
    case 'staged-broken':
      return situation.old;
  }
}

export type SetupStep = 'remind' | 'await-usable' | 'publish' | 'verify' | 'confirm' | 'restore';

/** A step and what it does in this situation (the same step does different things in different ones). */
export interface SetupAction {
  step: SetupStep;
  does: string;
}

export interface SetupPlanInput {
  situation: SetupSituation;
  /** Its row of `modeRules.setup` decides; whether an act is carried out or listed is the flow's. */
  mode: Mode;
  /** The active secret is due for rotation (or its age is unknown). */
  due: boolean;
}

/** The plan's lines for the summary: each step and what it does. */
export function describeSetupActions(actions: SetupAction[]): string[] {
  return actions.map((a) => `${a.step}: ${a.does}`);
}

/** The actions in order. A staged secret in hand is always carried on; the mode decides only when to remind. */
export function planSetup({ situation, mode, due }: SetupPlanInput): SetupAction[] {
  switch (situation.kind) {
    case 'idle':
      return startsWhenIdle(modeRules.setup[mode], due)
        ? [{ step: 'remind', does: 'ask for a staged secret to be generated in Setup and escrowed' }]
        : [];
    case 'distribute':
      return [
        { step: 'await-usable', does: 'wait until the token endpoint accepts the staged secret' },
        {
          step: 'publish',
          does: 'seal and write it to every destination; keep the active one in the previous-secret escrow',
        },
        { step: 'verify', does: 'request a token with it' },
        { step: 'remind', does: 'ask for it to be activated in Setup' },
      ];
    case 'activated-early':
      return [
        { step: 'publish', does: 'write the activated secret to every destination at once' },
        { step: 'confirm', does: 'delete the escrow secrets' },
      ];
    case 'distributed':
      return [
        {
          step: 'confirm',
          does: 'if the previous secret is now rejected, delete the escrow secrets; else remind to activate',
        },
      ];
    case 'staged-broken':
      return [
        { step: 'restore', does: 'put the previous secret back in every destination' },
        { step: 'remind', does: 'ask for a new staged secret' },
      ];
  }
}
