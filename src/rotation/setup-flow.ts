// The rotation when a person stages and activates in Marketing Cloud Setup
// (`management: setup`): the action reminds when a rotation is due,
// distributes a staged secret the person escrowed to every destination once
// the token endpoint accepts it, and confirms the switch after the person
// activated it. It never writes a destination with a secret the token
// endpoint does not accept at that moment. What comes next is setup-plan.ts's
// decision; this flow asks the platforms and carries it out.
import { ActionError } from '../errors.ts';
import { type InHand, recordUnderWay, SKEW_MS } from './assess.ts';
import { awaitUsable } from './await-usable.ts';
import { type AgeReading, oldestAge } from './result.ts';
import { DAY_MS, Flow, rejectedClientSecret } from './run-context.ts';
import { resultOf, type Settled, settled } from './settled.ts';
import {
  activeOf,
  assessSetup,
  describeSetupActions,
  planSetup,
  type SetupFacts,
  type SetupSituation,
  undistributed,
} from './setup-plan.ts';
import type { RotationRecord } from './state.ts';

/** Marketing Cloud expires every secret this long after it was generated. */
const SECRET_LIFETIME_DAYS = 180;

/** Marketing Cloud accepts a staged secret this long after it was generated (docs/DESIGN.md, rule 3). */
const USABLE_AFTER_MS = 5 * 60_000;

/** When a secret generated at `at` expires. */
const expiresFrom = (at: Date): Date => new Date(at.getTime() + SECRET_LIFETIME_DAYS * DAY_MS);
const WAITING_FOR_ACTIVATION = 'Distributed; waiting for activation in Setup.';

type SetupReads = Settled<{
  keys: Promise<void> | undefined;
  current: Promise<InHand | undefined>;
  escrowed: Promise<InHand | undefined>;
  previous: Promise<InHand | undefined>;
}>;

export class SetupRotation extends Flow {
  private current!: InHand;
  private escrowed: InHand | undefined;
  private previous: InHand | undefined;

  async run(): Promise<void> {
    const { ctx } = this;
    // Preflight's reads need no state: they go out while the state loads.
    const reads = this.preflightReads();
    await ctx.load();
    const claimed = await ctx.step('preflight', 'check inputs, GitHub access and Marketing Cloud', () =>
      this.preflight(reads),
    );
    const situation = await this.doubtClaims(claimed);
    const due = await this.describeAge(situation);
    const actions = planSetup({ situation, mode: this.cfg.mode, due });
    const plan = describeSetupActions(actions);
    this.result.plan = plan;
    if (this.rules.effect !== 'act') {
      const next =
        plan.length > 0
          ? `${this.rules.effect === 'dry-run' ? 'Would' : 'Next'}: ${plan.join('; ')}.`
          : ctx.notDue();
      ctx.reportHeadline(next);
      return;
    }
    switch (situation.kind) {
      case 'idle':
        if (actions.length > 0) await this.remind();
        else this.result.headline = ctx.notDue();
        return;
      case 'distribute':
        return this.distribute(situation.staged);
      case 'activated-early':
        return this.deliverAfterEarlyActivation(situation.staged);
      case 'distributed':
        return this.confirmOrRemind(situation.staged, situation.old);
      case 'staged-broken':
        return this.recoverBroken(situation.old);
    }
  }

  /**
   * Preflight's independent reads, sent together: the destinations' public
   * keys and the token endpoint's answer for each secret in hand (a secret
   * passed twice is asked once). Taken in this order by preflight.
   */
  private preflightReads(): Promise<SetupReads> {
    const { deps, cfg, ctx } = this;
    const check = (secret: string | undefined) => ctx.held(secret, { fresh: true });
    return settled({
      keys:
        this.rules.effect === 'report'
          ? undefined
          : deps.secrets.prepare([...cfg.destinations, cfg.escrow, cfg.previousEscrow]),
      current: check(cfg.clientSecret),
      escrowed: check(cfg.stagedClientSecret),
      previous: check(cfg.previousClientSecret),
    });
  }

  private async preflight(pending: Promise<SetupReads>): Promise<SetupSituation> {
    const { deps, cfg, ctx } = this;
    const reads = await pending;
    resultOf(reads.keys);
    this.current = resultOf(reads.current) as InHand;
    this.escrowed = resultOf(reads.escrowed);
    this.previous = resultOf(reads.previous);
    const working = [this.current, this.escrowed, this.previous].find((s) => s?.accepted);
    if (!working) {
      throw rejectedClientSecret(cfg, 'no secret passed in is accepted');
    }
    deps.onWorkingSecret?.(working.secret);

    // The stored staging's time is reported even when no secret in hand is that staging.
    const stored = recordUnderWay(ctx.state);
    if (stored) this.result.stagedAt = new Date(stored.stagedAt);
    const { situation, record, finished } = assessSetup({
      current: this.current,
      escrowed: this.escrowed,
      previous: this.previous,
      state: ctx.state,
      ...(stored && !this.escrowed ? await this.storedEvidence(stored) : {}),
    });
    if (finished) {
      // Setup cannot ask when it was activated: no earlier than its staging. Saved once, as the API flow does.
      ctx.settle(finished, finished.stagedAt);
      ctx.oweIdle();
    }
    ctx.record = record && 'escrowed' in record ? await this.recordEscrowed(record.escrowed) : record?.stored;
    return situation;
  }

  /**
   * What GitHub shows of a stored rotation no escrow was passed in for: the
   * escrow's `updated_at`, whether a previous escrow exists, and the
   * destinations not written since the staging.
   */
  private async storedEvidence(
    stored: RotationRecord,
  ): Promise<
    Pick<SetupFacts, 'escrowChecked' | 'escrowUpdatedAt' | 'staleDestinations' | 'previousEscrowGone'>
  > {
    const { deps, cfg, ctx } = this;
    // The escrows' reads decide whether the record was activated: one that fails fails the run (a later run
    // asks again). Destinations unread only mean they are written again.
    const [escrowAt, previousGone, stale] = await Promise.all([
      deps.secrets.updatedAt(cfg.escrow).then((at) => ({ escrowChecked: true, escrowUpdatedAt: at })),
      this.previous ? undefined : deps.secrets.updatedAt(cfg.previousEscrow).then((at) => at === undefined),
      ctx.writtenBefore(new Date(stored.stagedAt)).catch(() => undefined),
    ]);
    return { ...escrowAt, staleDestinations: stale, previousEscrowGone: previousGone };
  }

  /**
   * The escrow appeared, went, or was written since this job received its
   * inputs (less the skew): a person escrowed a secret another run may be
   * distributing, or a run confirmed.
   */
  async othersActed(): Promise<boolean> {
    const at = await this.deps.secrets.updatedAt(this.cfg.escrow);
    if (at === undefined) return Boolean(this.cfg.stagedClientSecret);
    return !this.cfg.stagedClientSecret || at.getTime() >= this.ctx.startedAt - SKEW_MS;
  }

  /** The record of a staging a person escrowed that the state does not know: it starts when the escrow was written. */
  private async recordEscrowed(escrowed: InHand): Promise<RotationRecord> {
    const { deps, cfg, ctx } = this;
    const escrowedAt = (await deps.secrets.updatedAt(cfg.escrow)) ?? ctx.now();
    this.result.stagedAt = escrowedAt;
    return {
      stagedFingerprint: escrowed.fingerprint,
      // The secret active now, as far as this run can tell: the workflow's, or else the previous one in hand.
      previousFingerprint: [this.current, this.previous].find((s) => s?.accepted)?.fingerprint,
      stagedAt: escrowedAt.toISOString(),
      usableAt: escrowedAt.toISOString(),
      expiresAt: expiresFrom(escrowedAt).toISOString(),
      escrowId: cfg.escrow.id,
      publishedTo: [],
      stagedByRun: cfg.runId,
    };
  }

  /**
   * The state's `published` is a hint: the staged secret is distributed only
   * if every destination was written after it was escrowed (GitHub's word).
   * Otherwise distribute it again, so the person is never told to activate a
   * secret the destinations do not hold.
   */
  private async doubtClaims(situation: SetupSituation): Promise<SetupSituation> {
    if (situation.kind !== 'distributed' && situation.kind !== 'staged-broken') return situation;
    const { ctx, deps, cfg } = this;
    // A newer staging in the escrow (assessSetup's `supersede`): the escrow's time says nothing of this record.
    if (this.escrowed && this.escrowed.fingerprint !== ctx.rotation().stagedFingerprint) return situation;
    const escrowedAt = await deps.secrets.updatedAt(cfg.escrow);
    const recorded = new Date(ctx.rotation().stagedAt);
    const since = escrowedAt && escrowedAt > recorded ? escrowedAt : recorded;
    const stale = await ctx.writtenBefore(since);
    if (stale.length === 0) return situation;
    // A rejected staged secret some destinations may hold, escrowed too long ago to be merely not usable
    // yet, is not distributed again: the old one goes back.
    const mayBecomeUsable = ctx.now().getTime() < since.getTime() + USABLE_AFTER_MS;
    if (situation.kind === 'staged-broken' && stale.length < cfg.destinations.length && !mayBecomeUsable)
      return situation;
    ctx.distrustDelivery(stale, 'escrowed');
    return undistributed(situation.staged, this.current, this.previous);
  }

  /**
   * The active secret's age, the oldest of what the state recorded for it and
   * each destination's `updated_at` (read before this run writes any): this
   * run's own writes never make it look younger, and a stale or forged record
   * can make a reminder early, never late.
   */
  private async describeAge(situation: SetupSituation): Promise<boolean> {
    const { ctx } = this;
    const active = activeOf(situation, { current: this.current, previous: this.previous });
    const readings: AgeReading[] = [];
    const recorded = active && ctx.stateAgeOf(active.fingerprint);
    if (recorded) readings.push({ at: recorded, source: 'state' });
    for (const at of (await ctx.destinationsWrittenAt()).values())
      if (at) readings.push({ at, source: 'destination' });
    const oldest = oldestAge(readings);
    if (!oldest) {
      this.result.notes.push(
        'The active secret’s age is unknown: the state records none for it and no destination has a secret.',
      );
      return true;
    }
    return ctx.recordAge(oldest.at, oldest.source, expiresFrom(oldest.at), active?.fingerprint);
  }

  private instructions(): string {
    const { cfg } = this;
    const escrow = cfg.escrow;
    return (
      `In Marketing Cloud Setup open Installed Packages → the package with client id ${cfg.clientId} → ` +
      `API Integration → Staged Secret → Generate, copy the secret, and save it as the GitHub secret ${escrow.name} ` +
      `at ${escrow.id} (repository Settings → Secrets and variables → Actions, or \`gh secret set ${escrow.name}\`). ` +
      'The next run distributes it to every destination once Marketing Cloud accepts it (5 minutes after it was generated).'
    );
  }

  private activateClicks(): string {
    return `In Setup open Installed Packages → the package with client id ${this.cfg.clientId} → API Integration → Staged Secret → Activate.`;
  }

  private async remind(): Promise<void> {
    const text = this.instructions();
    this.deps.log.notice(`A rotation of the Marketing Cloud secret is due. ${text}`);
    this.result.headline = 'A rotation is due: a staged secret must be generated in Setup and escrowed.';
    this.result.notes.push(text);
    await this.reminderIssue(
      `Rotate the Marketing Cloud secret of client ${this.cfg.clientId}`,
      `The active secret of the installed package with client id ${this.cfg.clientId} is due for rotation ` +
        `(next rotation due ${this.result.nextRotationAt?.toISOString() ?? 'now'}).\n\n${text}`,
    );
  }

  /** The run's headline, and a text for the person: a notice in the log and a note in the summary. */
  private tell(headline: string, text: string): void {
    this.deps.log.notice(text);
    this.result.headline = headline;
    this.result.notes.push(text);
  }

  private async reminderIssue(title: string, body: string): Promise<void> {
    if (!this.cfg.reminderIssue || !this.deps.reminders) return;
    const issue = await this.deps.reminders.open(title, body);
    this.result.notes.push(`Reminder issue: #${issue.number} ${issue.url}`);
  }

  private async distribute(staged: InHand): Promise<void> {
    const { ctx, deps, cfg } = this;
    if (!staged.accepted) {
      await ctx.step('await-usable', 'wait until the token endpoint accepts the staged secret', () =>
        awaitUsable(staged.secret, new Date(ctx.rotation().usableAt), ctx.deadline, deps).catch(
          (error: unknown) => {
            throw new ActionError(
              'staged-client-secret',
              `The staged secret in ${cfg.escrow.id} is not accepted by the token endpoint. If it was generated less ` +
                'than 5 minutes ago, run again later. If another secret was generated since, save the newest one as ' +
                `${cfg.escrow.name}. Nothing was overwritten. (${(error as Error).message})`,
            );
          },
        ),
      );
    }
    // The person wrote the escrow; the action writes the previous secret first, so that is the write to prove.
    await ctx.afterWriteCheck(cfg.previousEscrow, () => ctx.save('staged'));
    await ctx.step('publish', 'seal and write the staged secret to every destination', async () => {
      // The workflow's secret is the staged one when an earlier run wrote it before it stopped: the previous escrow keeps the old.
      if (this.current.accepted && this.current.fingerprint !== staged.fingerprint) {
        const [kept] = await deps.secrets.publish([cfg.previousEscrow], this.current.secret);
        if (!kept?.ok)
          throw new ActionError(cfg.previousEscrow.id, kept?.error ?? 'could not keep the previous secret');
      }
      try {
        await ctx.writeDestinations(staged.secret, 'publish');
      } catch (error) {
        await ctx.save('staged');
        throw error;
      }
    });
    await ctx.step('verify', 'request a token with the staged secret', async () => {
      const check = await deps.tokens.check(staged.secret, { fresh: true });
      if (!check.accepted) {
        throw new ActionError(
          'staged-client-secret',
          `The token endpoint stopped accepting the staged secret (${check.reason}) while it was distributed. ` +
            'Run again: the previous secret is put back.',
        );
      }
    });
    ctx.rotation().publishedAt = ctx.now().toISOString();
    await ctx.save('published');
    const text =
      `Every destination now holds the staged secret and Marketing Cloud accepts it. Now activate it: ${this.activateClicks()} ` +
      'The next run confirms the switch and deletes the escrow secrets.';
    this.tell('Distributed: activate the staged secret in Setup; the next run confirms.', text);
    await this.reminderIssue(`Activate the Marketing Cloud secret of client ${cfg.clientId}`, text);
  }

  private async deliverAfterEarlyActivation(staged: InHand): Promise<void> {
    const { ctx, cfg } = this;
    // GitHub's word on which destinations were not written since the staging; all, if it cannot tell.
    const stale = await ctx
      .writtenBefore(new Date(ctx.rotation().stagedAt))
      .catch(() => cfg.destinations.map((d) => d.id));
    this.deps.log.warning(
      `The staged secret was activated before every destination held it; these hold a rejected secret and are ` +
        `written now: ${stale.join(', ')}.`,
    );
    this.result.notes.push(
      `Activated too early; destinations that held a rejected secret: ${stale.join(', ')}.`,
    );
    await ctx.step('publish', 'write the activated secret to every destination at once', () =>
      ctx.writeDestinations(staged.secret, 'publish'),
    );
    await this.confirm(staged, ctx.now(), true);
  }

  private async confirmOrRemind(staged: InHand, old: InHand | undefined): Promise<void> {
    const { deps } = this;
    if (!old) {
      const text =
        'Waiting for the staged secret to be activated in Setup. This run cannot tell whether it was: pass the ' +
        `previous secret (${this.cfg.previousEscrow.name}) as \`previous-client-secret\`.`;
      this.tell(WAITING_FOR_ACTIVATION, text);
      return;
    }
    const oldCheck = await deps.tokens.check(old.secret, { fresh: true });
    if (oldCheck.accepted) {
      const text = `The previous secret is still accepted: the staged secret has not been activated yet. ${this.activateClicks()}`;
      this.tell(WAITING_FOR_ACTIVATION, text);
      await this.reminderIssue(`Activate the Marketing Cloud secret of client ${this.cfg.clientId}`, text);
      return;
    }
    this.result.notes.push(
      'The previous secret is now rejected by the token endpoint: the staged secret was activated.',
    );
    await this.confirm(staged, this.ctx.now());
  }

  /**
   * Deletes the escrows once the new secret is accepted and this run wrote it
   * to every destination (`written`: just now, before this step), whatever
   * the state said was distributed.
   */
  private async confirm(staged: InHand, activatedAt: Date, written = false): Promise<void> {
    const { ctx, deps, cfg } = this;
    await ctx.step('confirm', 'verify the new secret and delete the escrow secrets', async () => {
      const check = await deps.tokens.check(staged.secret, { fresh: true });
      if (!check.accepted) {
        throw new ActionError(
          'staged-client-secret',
          `The token endpoint rejects the new secret (${check.reason}).`,
        );
      }
      if (!written) await ctx.writeDestinations(staged.secret, 'publish');
      await deps.secrets.remove(cfg.escrow);
      await deps.secrets.remove(cfg.previousEscrow);
      // The new secret was generated before it was escrowed: its age runs from the staging, not this run.
      const stagedAt = new Date(ctx.rotation().stagedAt);
      ctx.recordAge(stagedAt, 'state', expiresFrom(stagedAt), staged.fingerprint);
      await ctx.saveCompleted(staged, activatedAt.toISOString());
      if (cfg.reminderIssue && deps.reminders) {
        const closed = await deps.reminders.close(`Rotation confirmed at ${activatedAt.toISOString()}.`);
        if (closed) this.result.notes.push(`Reminder issue #${closed.number} closed.`);
      }
    });
  }

  private async recoverBroken(old: InHand | undefined): Promise<void> {
    const { ctx } = this;
    if (!old?.accepted) {
      throw new ActionError(
        'staged-client-secret',
        'The distributed staged secret is no longer accepted (another was generated in Setup, or it was revoked), and ' +
          'the previous secret is not in hand to put back. Generate a new staged secret in Setup, save it in the ' +
          'escrow, and run again.',
      );
    }
    await ctx.step('publish', 'put the previous (still active) secret back in every destination', () =>
      ctx.writeDestinations(old.secret, 'restore'),
    );
    ctx.record = undefined;
    await ctx.save('idle');
    throw new ActionError(
      'staged-client-secret',
      'The distributed staged secret stopped working before it was activated (another was generated in Setup, or it ' +
        'was revoked). The previous secret, still active, was put back in every destination. ' +
        this.instructions(),
    );
  }
}
