// What each mode may do under each way of managing secrets (`management`),
// one row per pair. inputs.ts checks inputs against these tables, and the
// engine (src/rotation/) reads its row (`RunContext.rules`), never a mode's name.

export const modes = ['auto', 'rotate', 'stage', 'activate', 'status', 'plan'] as const;
export type Mode = (typeof modes)[number];

// `setup` first: it is the default, and messages offer it first.
export const managements = ['setup', 'api'] as const;
/** Who stages and activates: the management API, or a person in Setup. */
export type Management = (typeof managements)[number];

/** What starting a rotation means: the action stages (`api`), or it asks a person to (`setup`). */
export type WhenIdle =
  /** Start one now, due or not. */
  | 'start'
  /** Start one only once the active secret is due (`rotate-after-days`). */
  | 'start-when-due'
  /** Fail: the mode only continues a rotation already staged. */
  | 'fail';

/**
 * A mode that writes nothing. `dry-run` checks everything a run would (the
 * destinations' public keys included) and lists what it would do; `report`
 * checks no public key (the Setup flow still reads when each destination was
 * written, for the secret's age), says where the rotation stands and reports
 * what would block a run instead of failing.
 */
interface Observes {
  effect: 'dry-run' | 'report';
  /** What the listed next steps assume. */
  whenIdle: WhenIdle;
}

/** A mode under `api`. */
export type ApiRule =
  | {
      /** Writes: Marketing Cloud, GitHub secrets, the state artifact. */
      effect: 'act';
      whenIdle: WhenIdle;
      /** Goes on past staging (publish, verify, activate, confirm); false stops once staged and escrowed. */
      finishes: boolean;
      /**
       * When the staged secret becomes usable only after `max-wait-seconds`:
       * `fail`, or `later-run` (stop without error; a later run continues).
       */
      notUsableInTime: 'fail' | 'later-run';
    }
  | Observes;

/** A mode under `setup`: a person stages and activates, so there is no staging to stop at or wait for. */
export type SetupRule =
  | {
      /** Writes: GitHub secrets, the state artifact, a reminder issue. */
      effect: 'act';
      whenIdle: WhenIdle;
    }
  | Observes;

export type ModeRule = ApiRule | SetupRule;

const act = (whenIdle: WhenIdle, finishes = true, notUsableInTime: 'fail' | 'later-run' = 'fail') =>
  ({ effect: 'act', whenIdle, finishes, notUsableInTime }) as const;

const remind = (whenIdle: WhenIdle) => ({ effect: 'act', whenIdle }) as const;

/**
 * Whether a run goes on past staging. `plan` and `status` list the steps of
 * one that does: they have no `finishes` of their own.
 */
export function finishes(rule: ApiRule): boolean {
  return rule.effect !== 'act' || rule.finishes;
}

/**
 * Whether a run with nothing in progress starts a rotation (under `setup`,
 * reminds a person): now, or once the active secret is due. `fail` never
 * starts one; the API flow refuses instead.
 */
export function startsWhenIdle(rule: ModeRule, due: boolean): boolean {
  return rule.whenIdle === 'start' || (rule.whenIdle === 'start-when-due' && due);
}

export const modeRules = {
  api: {
    // A secret usable only after max-wait-seconds is left to a later run (api-flow.ts awaitUsable).
    auto: act('start-when-due', true, 'later-run'),
    rotate: act('start'),
    // The stage job of a two-job workflow (`finishes: false`) stops once staged, never continues a
    // staged rotation and never stages a second one while an escrow is left unconfirmed (the
    // activate job holds the escrow).
    stage: act('start', false),
    // `activate` with nothing staged (or a staging not in hand) fails.
    activate: act('fail'),
    // `report`: what would stop a run is reported, not raised; the steps listed are a scheduled `auto` run's.
    status: { effect: 'report', whenIdle: 'start-when-due' },
    // `plan` lists the steps `rotate` would take: it stages even when not due.
    plan: { effect: 'dry-run', whenIdle: 'start' },
  },
  setup: {
    // setup-flow.ts: the action never stages or activates; "start" is a reminder to a person,
    // and a staged secret in hand is always carried on (distributed, then confirmed).
    auto: remind('start-when-due'),
    // `rotate`, `stage` and `activate` act as `auto` but remind even when no rotation is due
    // (`whenIdle: 'start'`); `activate` with nothing staged reminds rather than fails.
    rotate: remind('start'),
    stage: remind('start'),
    activate: remind('start'),
    status: { effect: 'report', whenIdle: 'start-when-due' },
    // Unlike under `api`, `plan` lists what `auto` would do (setup-plan.ts `planSetup`).
    plan: { effect: 'dry-run', whenIdle: 'start-when-due' },
  },
} as const satisfies { api: Record<Mode, ApiRule>; setup: Record<Mode, SetupRule> };

export interface ManagementSpec {
  /** The action stages and activates through a service implementing docs/management-api.openapi.yaml. */
  usesManagementService: boolean;
  /** A person stages and activates in Setup, so the action reminds them (`reminder-issue`). */
  remindsAPerson: boolean;
  /** How the choice is described where `management` is wrong or an input does not apply. */
  describe: string;
}

export const managementSpecs = {
  api: {
    usesManagementService: true,
    remindsAPerson: false,
    describe:
      '`api` (a service at `management-url` implementing docs/management-api.openapi.yaml stages and activates)',
  },
  setup: {
    usesManagementService: false,
    remindsAPerson: true,
    describe: '`setup` (a person clicks Generate and Activate in Setup; works on every tenant)',
  },
} as const satisfies Record<Management, ManagementSpec>;
