// What the rotation through the management API does next: a pure function of
// what the platforms show (the situation, src/rotation/assess.ts), the mode's
// row of src/modes.ts, whether a rotation is due and whether an escrow is left
// unconfirmed. api-flow.ts carries the actions out; api-plan.test.ts covers
// each situation under each mode.
import { ActionError } from '../errors.ts';
import { type ApiRule, finishes, type Mode, modeRules, startsWhenIdle } from '../modes.ts';
import type { InHand, Situation } from './assess.ts';

export type Action =
  | { step: 'restore'; active: InHand; why: string }
  | { step: 'stage'; why: string }
  | { step: 'await-usable' | 'publish' | 'verify' | 'activate' | 'confirm' };

export const describeStep: Record<Action['step'], string> = {
  restore: 'put the active secret back in every destination',
  stage: 'generate a new staged secret and write it to the escrow',
  'await-usable': 'wait until the staged secret is usable and the token endpoint accepts it',
  publish: 'seal and write the staged secret to every destination',
  verify: 'request a token with the staged secret',
  activate: 'activate the staged secret in Marketing Cloud',
  confirm: 'check the new secret is accepted and the old one rejected, delete the escrow secret',
};

const toRotation: Action[] = [
  { step: 'await-usable' },
  { step: 'publish' },
  { step: 'verify' },
  { step: 'activate' },
  { step: 'confirm' },
];

export interface ApiPlanInput {
  situation: Situation;
  /** Its row of `modeRules.api` decides; the name appears only in texts. */
  mode: Mode;
  /** The active secret is due for rotation. */
  due: boolean;
  /** No state, yet an escrow secret exists: a rotation may be activated but not confirmed. */
  unconfirmed: boolean;
  /** Preflight found over a rotation an earlier attempt of this workflow run staged (this run is a re-run attempt). */
  rotatedThisRun?: boolean;
}

/** The plan's lines for the summary: each step, what it does, and why where it says. */
export function describeActions(actions: Action[]): string[] {
  return actions.map((a) => `${a.step}: ${describeStep[a.step]}${'why' in a ? ` (${a.why})` : ''}`);
}

/** The actions in order; throws an ActionError naming the input when the situation needs the user first. */
export function planApi({ situation, mode, due, unconfirmed, rotatedThisRun }: ApiPlanInput): Action[] {
  const rules = modeRules.api[mode];
  // The stage job of a two-job workflow stops once staged and leaves a staging to the activate job.
  const stopsAtStaging = !finishes(rules);
  const afterStaging = stopsAtStaging ? [] : toRotation;
  switch (situation.kind) {
    case 'blocked':
      // The stage job has no access to the escrow; the activate job receives it.
      if (stopsAtStaging && situation.escrowed) return [];
      throw new ActionError('staged-client-secret', situation.why);
    case 'idle':
      // A workflow run rotates once, however often its jobs are re-run: a re-run attempt of a run
      // whose rotation is over has nothing left to do.
      if (rotatedThisRun) return [];
      if (rules.whenIdle === 'fail') {
        throw new ActionError(
          'mode',
          `mode \`${mode}\` continues a staged rotation, but nothing is staged in Marketing Cloud for this client. ` +
            'Run with mode `stage` (or `rotate`) first.',
        );
      }
      // `status` reports what a scheduled `auto` run would do.
      if (!startsWhenIdle(rules, due)) return [];
      // Staging again would start a second rotation before the activate job confirms this one.
      if (stopsAtStaging && unconfirmed) return [];
      return [
        {
          step: 'stage',
          why:
            rules.effect === 'act' && rules.whenIdle === 'start-when-due'
              ? 'the active secret is due for rotation'
              : `mode ${mode}`,
        },
        ...afterStaging,
      ];
    // Whatever the state says was published, this run writes every
    // destination itself (idempotent) before it activates or confirms.
    case 'in-progress':
      return stopsAtStaging ? [] : toRotation;
    case 'activated':
      return stopsAtStaging ? [] : [{ step: 'publish' }, { step: 'confirm' }];
    case 'staged-not-in-hand':
      return planStagedNotInHand(situation, rules, afterStaging);
  }
}

/** Marketing Cloud holds a staging this run does not: re-stage, putting the active secret back first where needed. */
function planStagedNotInHand(
  situation: Situation & { kind: 'staged-not-in-hand' },
  rules: ApiRule,
  afterStaging: Action[],
): Action[] {
  if (!finishes(rules) && situation.escrowed) return [];
  if (rules.whenIdle === 'fail') {
    throw new ActionError(
      'staged-client-secret',
      `Nothing to activate that this run can deliver: ${situation.why}. Pass the escrow secret as ` +
        '`staged-client-secret`, or run with mode `stage` or `rotate` to stage a new secret.',
    );
  }
  const restage: Action = { step: 'stage', why: `re-stage: ${situation.why}` };
  if (!situation.mayBeHeld) return [restage, ...afterStaging];
  if (!situation.active) {
    throw new ActionError(
      'client-secret',
      `${situation.why}, and some destinations may already hold it. This run also does not hold the active ` +
        'secret, so it cannot put it back safely. Pass the escrow secret as `staged-client-secret`, or pass the ' +
        'active secret as `client-secret`, and run again.',
    );
  }
  return [{ step: 'restore', active: situation.active, why: situation.why }, restage, ...afterStaging];
}
