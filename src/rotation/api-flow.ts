// The rotation through the management API: load, preflight, then carry out
// the actions api-plan.ts decides on for the situation and the mode.
import { ActionError, DestinationError, errorMessage } from '../errors.ts';
import { type ApiRule, finishes, modeRules } from '../modes.ts';
import { type Action, describeActions, describeStep, planApi } from './api-plan.ts';
import {
  activatedSince,
  assess,
  type Facts,
  gitHubShowsOver,
  type InHand,
  notBefore,
  recordUnderWay,
  rotationOver,
  type Situation,
  sameInstant,
  stateContradicts,
} from './assess.ts';
import { awaitUsable } from './await-usable.ts';
import { type ManagementPort, NothingStagedError, type SecretStatus, type TokenCheck } from './ports.ts';
import { Flow, inHand, type RunContext, rejectedClientSecret } from './run-context.ts';
import { resultOf, type Settled, settled } from './settled.ts';
import type { RotationRecord } from './state.ts';

/**
 * A token-endpoint acceptance of the staged secret made by this run this
 * recently stands for the verify step: asking again moments later (the
 * publish in between) only adds a request. Verify guards a secret replaced or
 * revoked in Setup during a long publish; past this age it asks again.
 */
const VERIFY_REUSE_MS = 30_000;

/**
 * How long preflight's status read stands in for the re-read before a first
 * generation: well inside Marketing Cloud's 5-minute generation window.
 */
const STATUS_REUSE_MS = 60_000;

type PreflightReads = Settled<{
  keys: Promise<void> | undefined;
  current: Promise<TokenCheck>;
  escrowed: Promise<InHand | undefined>;
  status: Promise<{ status: SecretStatus; askedAt: number } | undefined>;
  /** The escrow's `updated_at` (`at` undefined: none exists); undefined when not read (yet). */
  escrowAt: Promise<{ at: Date | undefined } | undefined>;
  /** For a stored rotation: the destinations not written since its staging; undefined when not read. */
  stale: Promise<string[] | undefined>;
}>;

type GitHubEvidence = Pick<Facts, 'escrowChecked' | 'escrowUpdatedAt' | 'staleDestinations'>;

/** What GitHub showed preflight of the escrow (`at` undefined: none exists) and of the destinations. */
function gitHubEvidence(
  escrow: { at: Date | undefined } | undefined,
  stale: string[] | undefined,
): GitHubEvidence {
  return { escrowChecked: escrow !== undefined, escrowUpdatedAt: escrow?.at, staleDestinations: stale };
}

/** The flow when the management API stages and activates. */
export class ApiRotation extends Flow {
  private readonly management: ManagementPort;
  private staged: InHand | undefined;
  private current!: InHand;
  private escrowed: InHand | undefined;
  private status!: SecretStatus;
  /** When preflight asked for `status` (clock ms), before the state and the keys were in. */
  private statusAskedAt = 0;
  /** Preflight's read of the escrow (`at` undefined: none exists); undefined when it did not read it. */
  private escrow: { at: Date | undefined } | undefined;
  /** The staged secret was activated, in this run or an earlier one. */
  private activated = false;
  /** No state, yet an escrow secret exists: a rotation may be activated but not confirmed. */
  private unconfirmed = false;
  /** The stored rotation preflight found over. */
  private settled: RotationRecord | undefined;
  /** Whether another live run holds this rotation was asked already. */
  private othersAsked = false;
  /** This run wrote the staged secret to every destination: the evidence activation and confirmation need. */
  private delivered = false;
  /** This run staged the secret in hand: the record's times are Marketing Cloud's reply, not the state's word. */
  private stagedHere = false;
  /** Marketing Cloud's reply to this run's activation (or its status showing it done elsewhere). */
  private activation: { activatedAt: Date; expiresAt: Date } | undefined;
  /** The `staged` save, under way while Marketing Cloud makes the staged secret usable. */
  private stagedSave: Promise<void> | undefined;
  /** Marketing Cloud's answer to this run's activation named its staging, right after the token endpoint accepted it. */
  private switchShown = false;
  /** When the token endpoint last accepted the staged secret in this run (clock ms). */
  private stagedAcceptedAt: number | undefined;

  constructor(ctx: RunContext, management: ManagementPort) {
    super(ctx);
    this.management = management;
  }

  /** The mode's row under `api`, which says whether it stops at staging and waits past max-wait-seconds. */
  protected override get rules(): ApiRule {
    return modeRules.api[this.cfg.mode];
  }

  async run(): Promise<void> {
    const { ctx } = this;
    // Preflight's reads need no state: they go out while the state loads.
    const loaded = ctx.load();
    const reads = this.preflightReads(loaded);
    await loaded;
    const situation = await ctx.step('preflight', 'check inputs, GitHub access and Marketing Cloud', () =>
      this.preflight(reads),
    );
    if (situation === 'superseded') return ctx.standDown();
    const due = this.describeAge();
    const actions = this.planOrReport(situation, due);
    this.result.plan = describeActions(actions);

    if (this.rules.effect !== 'act') {
      this.result.stagedAt ??= this.status.staged?.createdAt;
      this.ctx.reportHeadline(this.headlineFor(situation, actions));
      if (this.rules.effect === 'dry-run') {
        this.result.destinations = this.cfg.destinations.map((destination) => ({
          destination,
          outcome: actions.some((a) => a.step === 'publish' || a.step === 'restore')
            ? 'would-update'
            : 'unchanged',
        }));
      }
      return;
    }
    for (const action of actions) {
      const stop = await this.execute(action);
      if (stop) break;
    }
    this.result.headline ||= this.headlineFor(situation, actions);
  }

  /**
   * Preflight's independent reads, sent together: the destinations' public
   * keys, the token endpoint's answer for each secret in hand, and Marketing
   * Cloud's status. Settled, never rejected: preflight takes their results
   * (and failures) in this order, so it decides and fails as it would had
   * they been made one by one.
   */
  private preflightReads(loaded: Promise<void>): Promise<PreflightReads> {
    const { deps, cfg } = this;
    const current = this.ctx.ask(cfg.clientSecret);
    const escrowed = this.ctx.held(cfg.stagedClientSecret);
    // The management API may authenticate with whichever of the package's secrets the token endpoint
    // accepts (main.ts), so the status is asked once the checks have answered; preflight stops
    // before it needs the status when neither secret can be used.
    const status = Promise.all([current, escrowed]).then(async ([check, held]) => {
      if (!check.accepted && !held) return undefined;
      const working = check.accepted ? cfg.clientSecret : held?.accepted ? held.secret : undefined;
      if (working) deps.onWorkingSecret?.(working);
      // Its age counts from when it was asked for: the answer is no older than that.
      const askedAt = deps.clock.now();
      return { status: await this.management.status(), askedAt };
    });
    return settled({
      keys:
        this.rules.effect === 'report' ? undefined : deps.secrets.prepare([...cfg.destinations, cfg.escrow]),
      current,
      escrowed,
      status,
      escrowAt: loaded.then(() => this.escrowFirst()),
      stale: loaded.then(() => this.staleSinceStoredStaging()),
    });
  }

  /**
   * The escrow's `updated_at`, when it decides something before the status is
   * in: an escrow in hand, a stage job (an escrow left without state marks an
   * unconfirmed rotation), or a stored rotation (its escrow gone is part of
   * the evidence that it is over; a failed read leaves that unread). A
   * staging on Marketing Cloud asks for it later.
   */
  private escrowFirst(): Promise<{ at: Date | undefined } | undefined> {
    if (this.cfg.stagedClientSecret || !finishes(this.rules)) return this.readEscrow();
    if (recordUnderWay(this.ctx.state)) return this.readEscrow().catch(() => undefined);
    return Promise.resolve(undefined);
  }

  /** For a stored rotation, the destinations not written since its staging (assess.ts `rotationOver`); a failed read leaves them unread. */
  private async staleSinceStoredStaging(): Promise<string[] | undefined> {
    const record = recordUnderWay(this.ctx.state);
    return record ? this.ctx.writtenBefore(new Date(record.stagedAt)).catch(() => undefined) : undefined;
  }

  private async readEscrow(): Promise<{ at: Date | undefined }> {
    return { at: await this.deps.secrets.updatedAt(this.cfg.escrow) };
  }

  /** `superseded`: this run was queued before the last rotation finished and holds the secret it replaced. */
  private async preflight(pending: Promise<PreflightReads>): Promise<Situation | 'superseded'> {
    const { cfg } = this;
    const reads = await pending;
    resultOf(reads.keys);
    const currentCheck = resultOf(reads.current);
    this.current = inHand(cfg.clientId, cfg.clientSecret, currentCheck.accepted);
    this.escrowed = resultOf(reads.escrowed);

    if (!currentCheck.accepted && !this.escrowed) {
      const replacedBy = this.replacedBy(
        this.current,
        gitHubEvidence(resultOf(reads.escrowAt), resultOf(reads.stale)),
      );
      if (replacedBy) {
        // GitHub hands a run the secrets as they were when it was queued.
        this.result.headline = `Nothing to do: ${replacedBy} after this run was queued, so this run received the secret it replaced.`;
        return 'superseded';
      }
      throw rejectedClientSecret(cfg, currentCheck.reason, this.rotatedSinceQueued());
    }
    const read = resultOf(reads.status);
    if (!read) throw new Error('engine: no status read though a secret is in hand');
    this.status = read.status;
    this.statusAskedAt = read.askedAt;
    const escrow = resultOf(reads.escrowAt) ?? (this.status.staged ? await this.readEscrow() : undefined);
    const escrowUpdatedAt = escrow?.at;
    this.escrow = escrow;
    const facts: Facts = {
      state: this.ctx.state,
      status: this.status,
      current: this.current,
      escrowed: this.escrowed,
      ...gitHubEvidence(escrow, resultOf(reads.stale)),
    };
    this.settleIfOver(facts);
    const contradiction = stateContradicts(facts);
    if (contradiction) {
      this.ctx.setAside(contradiction);
      facts.state = undefined;
      this.ctx.oweIdle();
    }
    this.unconfirmed = !this.ctx.state && escrowUpdatedAt !== undefined;
    const situation = assess(facts);
    if (situation.kind === 'in-progress' || situation.kind === 'activated') {
      this.ctx.record = situation.record;
      this.staged = situation.kind === 'in-progress' ? situation.staged : situation.secret;
      this.result.stagedAt = new Date(situation.record.stagedAt);
      this.activated = situation.kind === 'activated';
      if (this.rules.effect !== 'report') await this.doubtClaims(situation);
    }
    return situation;
  }

  /** A stored rotation the platforms show over (assess.ts `rotationOver`) becomes history; the run goes on from there. */
  private settleIfOver(facts: Facts): void {
    const over = rotationOver(facts);
    if (!over) return;
    this.ctx.settle(over, (this.status.lastActivatedAt ?? new Date(over.stagedAt)).toISOString());
    facts.state = this.ctx.state;
    this.settled = over;
    this.ctx.oweIdle();
  }

  /**
   * Marketing Cloud, asked again, shows a generation or an activation that
   * neither preflight nor this run made, or a staging the state in memory
   * does not record: another run may be saving its record, which must stay
   * the newest.
   */
  async othersActed(): Promise<boolean> {
    const now = await this.management.status();
    const same = (a: Date | null | undefined, b: Date | null | undefined) =>
      a && b ? sameInstant(a, b) : !a && !b;
    const activations = [this.status.lastActivatedAt, this.activation?.activatedAt];
    const recorded = recordUnderWay(this.ctx.state);
    return (
      !same(now.lastGeneratedAt, this.status.lastGeneratedAt) ||
      !activations.some((at) => same(now.lastActivatedAt, at)) ||
      (now.staged !== null && !(recorded && sameInstant(recorded.stagedAt, now.staged.createdAt)))
    );
  }

  /**
   * The state's word on progress is a hint: every step it claims is done
   * again or checked (publish writes every destination before activation and
   * confirmation). Where the platforms show less than it claims, say so.
   */
  private async doubtClaims(situation: Situation & { kind: 'in-progress' | 'activated' }): Promise<void> {
    const phase = this.ctx.state?.phase;
    if (phase === 'activated' && situation.kind === 'in-progress') {
      this.ctx.distrust(
        'The stored state says the staged secret was activated, but Marketing Cloud still has it staged; that claim was ignored.',
      );
    }
    if (phase !== 'published' && phase !== 'activated') return;
    const stale = await this.ctx.writtenBefore(new Date(situation.record.stagedAt));
    if (stale.length > 0) {
      this.ctx.distrustDelivery(
        stale,
        'staged',
        ', and this run writes every destination before it activates or confirms',
      );
    }
  }

  /**
   * Which completed rotation replaced this secret, when the state says one
   * did: the last in its history, or its rotation under way once GitHub shows
   * that rotation over (its escrow gone, every destination written since its
   * staging; Marketing Cloud rejecting the secret it replaced says it was activated).
   */
  private replacedBy(secret: InHand, evidence: GitHubEvidence): string | undefined {
    const { state } = this.ctx;
    const record = recordUnderWay(state);
    if (state && record) {
      if (record.previousFingerprint !== secret.fingerprint || !gitHubShowsOver(evidence)) return undefined;
      this.result.phase = 'idle';
      return (
        `run ${record.stagedByRun || state.runId} rotated this secret (it staged the new one at ${record.stagedAt}; ` +
        'its escrow is gone and every destination was written since)'
      );
    }
    const last = state?.history.at(-1);
    if (last?.previousFingerprint !== secret.fingerprint) return undefined;
    return `run ${last.runId} rotated this secret (activated at ${last.activatedAt})`;
  }

  /** Why client-secret may be stale: a run queued behind another (GitHub reads secrets when a run is queued). */
  private rotatedSinceQueued(): string {
    const last = this.ctx.state?.history.at(-1);
    if (!last) return '';
    return (
      ` The state shows a rotation activated at ${last.activatedAt} by run ${last.runId}: if this run was queued ` +
      'before that rotation finished (for example behind it in a concurrency group), it received the secret that ' +
      'rotation replaced, and there is nothing left to do.'
    );
  }

  /**
   * Fills the active secret's age and dates in the result, and says whether
   * a rotation is due: Marketing Cloud's word, or the state's for the same
   * secret when that is older (a stale or forged record errs early, never late).
   */
  private describeAge(): boolean {
    const { active } = this.status;
    // A secret accepted in preflight may since have been disabled: once the stored rotation is shown
    // over, its secret is the active one.
    const inHand = [this.current, this.escrowed];
    const activeInHand =
      inHand.find((s) => s?.accepted && s.fingerprint === this.settled?.stagedFingerprint) ??
      inHand.find((s) => s?.accepted && s.fingerprint !== this.staged?.fingerprint);
    const recorded = activeInHand && this.ctx.stateAgeOf(activeInHand.fingerprint);
    return this.ctx.recordOldestAge(active, recorded, activeInHand?.fingerprint);
  }

  /** The stored rotation preflight found over, when an earlier attempt of this workflow run staged it. */
  private rotatedHere(): RotationRecord | undefined {
    return this.settled?.stagedByRun === this.cfg.runId ? this.settled : undefined;
  }

  /** In status mode a situation that would stop a rotation is reported, not raised. */
  private planOrReport(situation: Situation, due: boolean): Action[] {
    const input = {
      situation,
      mode: this.cfg.mode,
      due,
      unconfirmed: this.unconfirmed,
      rotatedThisRun: this.rotatedHere() !== undefined,
    };
    if (this.rules.effect !== 'report') return planApi(input);
    try {
      return planApi(input);
    } catch (error) {
      this.result.notes.push((error as Error).message);
      return [];
    }
  }

  private headlineFor(situation: Situation, actions: Action[]): string {
    const verb = this.rules.effect === 'dry-run' ? 'Would' : 'Will';
    if (actions.length > 0) return `${verb} ${actions.map((a) => a.step).join(', ')}.`;
    const rotated = this.rotatedHere();
    if (rotated && situation.kind === 'idle')
      return `Nothing to do: an earlier attempt of this workflow run rotated the secret (staged at ${rotated.stagedAt}); it is active and in every destination.`;
    if (situation.kind === 'in-progress' || !finishes(this.rules))
      return 'A staged secret is escrowed; a later run (mode activate or auto) finishes the rotation.';
    return this.ctx.notDue();
  }

  /** Runs one action; returns true when the run should stop here. */
  private async execute(action: Action): Promise<boolean> {
    const { ctx } = this;
    switch (action.step) {
      case 'restore':
        await this.noOtherRunAtWork();
        // Once another run has activated, the active secret in hand is disabled: writing it back would cut consumers off.
        await this.unchangedSincePreflight();
        await ctx.step('publish', `put the active secret back: ${action.why}`, () =>
          ctx.writeDestinations(action.active.secret, 'restore'),
        );
        // The escrowed secret is abandoned; a later run must not take it for the next staging's.
        await this.deps.secrets.remove(this.cfg.escrow);
        ctx.record = undefined;
        await ctx.save('idle');
        return false;
      case 'stage':
        // Generating replaces a staging another run may be publishing (a restore before this one already asked).
        if (this.status.staged) await this.noOtherRunAtWork();
        await ctx.step('stage', describeStep.stage, () => this.stage());
        return false;
      case 'await-usable':
        return this.awaitUsable();
      case 'publish':
        await ctx.step('publish', describeStep.publish, () => this.publish());
        return false;
      case 'verify':
        await ctx.step('verify', describeStep.verify, () => this.verify());
        return false;
      case 'activate':
        await ctx.step('activate', describeStep.activate, () => this.activate());
        return false;
      case 'confirm':
        await ctx.step('confirm', describeStep.confirm, () => this.confirm());
        return false;
    }
  }

  private stagedSecret(): InHand {
    if (!this.staged) throw new Error('engine: no staged secret in hand');
    return this.staged;
  }

  private async stage(): Promise<void> {
    const { deps, cfg, ctx } = this;
    // A token that can read but not write the escrow is found out before a secret is staged.
    let attempts = 0;
    const staged = await ctx.afterWriteCheck(cfg.escrow, () =>
      this.management.stage(cfg.description, () =>
        attempts++ === 0 && this.preflightStatusHolds() ? Promise.resolve() : this.unchangedSincePreflight(),
      ),
    );
    deps.log.setSecret(staged.clientSecret);
    const held = inHand(cfg.clientId, staged.clientSecret, false);
    this.staged = held;
    const previous = [this.current, this.escrowed].find(
      (s) => s?.accepted && s.fingerprint !== held.fingerprint,
    );
    ctx.record = {
      stagedFingerprint: held.fingerprint,
      previousFingerprint: previous?.fingerprint,
      stagedAt: staged.createdAt.toISOString(),
      usableAt: staged.usableAt.toISOString(),
      expiresAt: staged.expiresAt.toISOString(),
      escrowId: cfg.escrow.id,
      publishedTo: [],
      stagedByRun: cfg.runId,
    };
    this.result.stagedAt = staged.createdAt;
    this.stagedHere = true;
    const [escrow] = await deps.secrets.publish([cfg.escrow], staged.clientSecret);
    if (!escrow?.ok) {
      throw new DestinationError(
        cfg.escrow.id,
        `A secret was staged in Marketing Cloud but could not be written to the escrow ${cfg.escrow.id}: ${(escrow?.error ?? 'unknown error').replace(/\.?$/, '.')} ` +
          'Nothing else was changed. Fix access to the escrow and run again; a new secret is staged after the 5-minute window.',
      );
    }
    // Saved before publishing: a rerun that does not receive the escrow learns only from this record that
    // destinations may hold the staged secret, and puts the active one back (the platforms alone would block it).
    const save = ctx.save('staged');
    if (finishes(this.rules) && staged.usableAt.getTime() <= ctx.deadline) {
      // This run waits for the secret to become usable next: the save goes on meanwhile, and the
      // await-usable step ends only once it is done (a failed save stops the run there).
      this.stagedSave = save;
      save.catch(() => {}); // not unhandled while the wait is under way
    } else {
      await save;
    }
  }

  /**
   * Preflight's status still stands for a first generation: it showed nothing
   * staged, so nothing can have been activated since, and Marketing Cloud
   * refuses a generation within 5 minutes of another (429, errorcode 10029),
   * so one made since by anyone makes this stage fail instead of replacing it.
   * A retry of the stage, or an older read, asks again.
   */
  private preflightStatusHolds(): boolean {
    return this.status.staged === null && this.deps.clock.now() - this.statusAskedAt < STATUS_REUSE_MS;
  }

  private async awaitUsable(): Promise<boolean> {
    try {
      return await this.usable();
    } finally {
      // Still under way only when the step did not start (the run's time budget): it ends first.
      await this.stagedSaved();
    }
  }

  /** The `staged` save, once it has ended; its failure is thrown. */
  private async stagedSaved(): Promise<void> {
    const save = this.stagedSave;
    this.stagedSave = undefined;
    await save;
  }

  private async usable(): Promise<boolean> {
    const { ctx } = this;
    const record = ctx.rotation();
    const usableAt = new Date(record.usableAt);
    const { rules } = this;
    const laterRun = rules.effect === 'act' && rules.notUsableInTime === 'later-run';
    if (laterRun && usableAt.getTime() > ctx.deadline) {
      this.result.headline = `Staged and escrowed; the secret becomes usable at ${record.usableAt}, after max-wait-seconds, so a later run continues.`;
      ctx.skip('await-usable', `usable at ${record.usableAt}; beyond max-wait-seconds`);
      return true;
    }
    if (usableAt.getTime() > ctx.deadline) {
      throw new ActionError(
        'max-wait-seconds',
        `The staged secret becomes usable at ${record.usableAt}, after max-wait-seconds (${this.cfg.maxWaitSeconds}) runs out. ` +
          'It is staged and escrowed; run again after that time and the rotation resumes.',
      );
    }
    await ctx.step('await-usable', describeStep['await-usable'], async () => {
      // Both end before the step does, whatever the other does; a failed save is the error that counts.
      const [usable, saved] = await Promise.allSettled([
        awaitUsable(this.stagedSecret().secret, usableAt, ctx.deadline, this.deps),
        this.stagedSaved(),
      ]);
      resultOf(saved);
      resultOf(usable);
    });
    this.stagedAcceptedAt = this.deps.clock.now();
    return false;
  }

  private async publish(): Promise<void> {
    const { ctx } = this;
    try {
      await ctx.writeDestinations(this.stagedSecret().secret, 'publish');
      this.delivered = true;
    } catch (error) {
      // Keep the destinations done (saved when the run ends); the fresh escrow tells a rerun the same.
      if (!this.activated) ctx.mark('staged');
      throw error;
    }
    if (!this.activated) {
      ctx.rotation().publishedAt = ctx.now().toISOString();
      // Every rerun writes every destination again before it activates: no save needed.
      ctx.mark('published');
    }
  }

  private async verify(): Promise<void> {
    const { clock, log } = this.deps;
    const acceptedAt = this.stagedAcceptedAt;
    if (acceptedAt !== undefined && clock.now() - acceptedAt <= VERIFY_REUSE_MS) {
      log.info(
        `The token endpoint accepted the staged secret ${Math.round((clock.now() - acceptedAt) / 1000)} s ago, in this run; not asked again.`,
      );
      return;
    }
    const check = await this.deps.tokens.check(this.stagedSecret().secret, { fresh: true });
    if (!check.accepted) {
      throw new ActionError(
        'staged-client-secret',
        `The token endpoint now rejects the staged secret (${check.reason}); it was not activated. It may have been ` +
          'replaced in Setup or revoked. Run again: the active secret is put back and a new one is staged.',
      );
    }
    this.stagedAcceptedAt = clock.now();
  }

  /**
   * Generating replaces the staged secret, and putting the active secret back
   * undoes a publication, so right before either make sure nobody generated,
   * activated or escrowed a secret since preflight: another run of the
   * workflow (without a concurrency group), or a person in Setup.
   */
  private async unchangedSincePreflight(): Promise<void> {
    const { deps, cfg } = this;
    const before = this.status;
    const now = await this.management.status();
    const changes: string[] = [];
    if (now.lastGeneratedAt?.getTime() !== before.lastGeneratedAt?.getTime())
      changes.push(`a secret was generated at ${now.lastGeneratedAt?.toISOString()}`);
    if (now.lastActivatedAt?.getTime() !== before.lastActivatedAt?.getTime())
      changes.push(`a secret was activated at ${now.lastActivatedAt?.toISOString()}`);
    if (before.staged) {
      // This run may have removed the escrow (restore), but never writes it before staging.
      const escrowAt = await deps.secrets.updatedAt(cfg.escrow);
      const before = this.escrow?.at;
      if (escrowAt && !(before && escrowAt <= before))
        changes.push(`the escrow ${cfg.escrow.id} was written at ${escrowAt.toISOString()}`);
    }
    if (changes.length === 0) return;
    throw new ActionError(
      'concurrency',
      `Since this run checked Marketing Cloud, ${changes.join(' and ')}: another run of this workflow, or someone ` +
        `in Setup, is rotating client ${cfg.clientId}. This run stopped there: it staged nothing and replaced nothing. ` +
        `Let that rotation finish. ${this.groupAdvice()}`,
    );
  }

  private groupAdvice(): string {
    return (
      'To keep runs from overlapping, give the workflow a concurrency group per client id ' +
      `(for example \`concurrency: sfmc-rotation-${this.cfg.clientId}\`).`
    );
  }

  /**
   * A run that received its inputs before another run escrowed its staged
   * secret finds that staging not in hand; restoring or re-staging would
   * undo what the other run is publishing. So ask GitHub whether the run
   * that staged (or last saved the state) is still at work, and stop if it
   * is. Asked once: a re-stage after a restore needs no second look.
   */
  private async noOtherRunAtWork(): Promise<void> {
    const { deps, cfg, ctx } = this;
    if (!deps.runs || this.othersAsked) return;
    this.othersAsked = true;
    const state = ctx.state;
    const others = new Set([state?.rotation?.stagedByRun, state?.runId]);
    for (const runId of others) {
      if (!runId || runId === cfg.runId) continue;
      const active = await deps.runs.isActive(runId);
      if (active === undefined) {
        this.result.notes.push(
          `Could not ask GitHub whether run ${runId}, which saved the rotation state, is still running (the ` +
            'state-token needs `actions: read`); went ahead as if it had ended.',
        );
      } else if (active) {
        throw new ActionError(
          'concurrency',
          `Another run of this workflow, run ${runId}, is rotating client ${cfg.clientId} right now. This run ` +
            `stopped before changing anything: let that run finish. ${this.groupAdvice()}`,
        );
      }
    }
  }

  /**
   * Activation found nothing staged. If this run's staged secret was
   * activated meanwhile (by another run, or in Setup), carry on to confirm it.
   */
  private async activatedElsewhere(error: unknown): Promise<{ activatedAt: Date; expiresAt: Date }> {
    if (!(error instanceof NothingStagedError)) throw error;
    const status = await this.management.status();
    if (status.staged || !status.lastActivatedAt || !activatedSince(status, this.ctx.rotation().stagedAt))
      throw error;
    const check = await this.deps.tokens.check(this.stagedSecret().secret, { fresh: true });
    if (!check.accepted) throw error;
    this.result.notes.push(
      `The staged secret was already activated at ${status.lastActivatedAt.toISOString()} (by another run, or in ` +
        'Setup); this run did not activate it again.',
    );
    return { activatedAt: status.lastActivatedAt, expiresAt: status.active.expiresAt };
  }

  private async activate(): Promise<void> {
    if (!this.delivered) throw new Error('engine: activation before this run wrote every destination');
    const activated = await this.management
      .activate()
      .catch((error: unknown) => this.activatedElsewhere(error));
    this.activation = activated;
    const acceptedAt = this.stagedAcceptedAt;
    // The activated secret expires when the staged one does (180 days after its generation): the
    // reply (or the status activatedElsewhere read) names this run's staging, which the token
    // endpoint accepted moments ago.
    this.switchShown =
      this.stagedHere &&
      sameInstant(activated.expiresAt, this.ctx.rotation().expiresAt) &&
      acceptedAt !== undefined &&
      this.deps.clock.now() - acceptedAt <= VERIFY_REUSE_MS;
    this.ctx.rotation().activatedAt = activated.activatedAt.toISOString();
    this.activated = true;
    this.result.activatedAt = activated.activatedAt;
    this.result.expiresAt = activated.expiresAt;
    this.deps.onWorkingSecret?.(this.stagedSecret().secret);
    // The staged record and Marketing Cloud's status (nothing staged, activated since the staging) tell a rerun this.
    this.ctx.mark('activated');
  }

  /**
   * The new secret's dates after the switch, or an error when Marketing
   * Cloud does not show this staging activated. A run that staged and
   * activated it itself has both from Marketing Cloud's replies; any other
   * run asks for the status (the state's word on either is a hint only).
   */
  private async switched(): Promise<Pick<SecretStatus, 'active' | 'lastActivatedAt'>> {
    const record = this.ctx.rotation();
    if (this.stagedHere && this.activation) {
      const { activatedAt, expiresAt } = this.activation;
      return { active: { createdAt: new Date(record.stagedAt), expiresAt }, lastActivatedAt: activatedAt };
    }
    const status = await this.management.status();
    const stillStaged = status.staged !== null && sameInstant(status.staged.createdAt, record.stagedAt);
    const activatedSince =
      status.lastActivatedAt !== null && notBefore(status.lastActivatedAt, record.stagedAt);
    if (stillStaged || !activatedSince) {
      throw new ActionError(
        'Marketing Cloud',
        `Marketing Cloud does not show the secret staged at ${record.stagedAt} as activated, so the escrow ` +
          `${this.cfg.escrow.id} was kept. Run again (mode activate or rotate) to activate it.`,
      );
    }
    return status;
  }

  /** Throws unless the token endpoint accepts the new secret now, after the switch. */
  private async newAccepted(secret: InHand): Promise<void> {
    const check = await this.deps.tokens.check(secret.secret, { fresh: true });
    if (!check.accepted) {
      throw new ActionError(
        'client-id',
        `After activation the token endpoint rejects the new secret (${check.reason}). Check the package in Setup.`,
      );
    }
  }

  /**
   * The previous secret's answer, as a note; true when it is still accepted.
   * A failed check stops the run before the escrow is deleted, but once it
   * is deleted (`deleted`) it is a note as well: the rotation is done.
   */
  private noteOldSecret(read: PromiseSettledResult<TokenCheck | undefined>, deleted: boolean): boolean {
    if (read.status === 'rejected') {
      if (!deleted) throw read.reason;
      this.result.notes.push(
        `The previous secret's rejection could not be checked (${errorMessage(read.reason)}).`,
      );
      return false;
    }
    const check = read.value;
    this.result.notes.push(
      !check
        ? 'The previous secret was not in hand in this run, so its rejection was not checked.'
        : check.accepted
          ? 'The previous secret is still accepted by the token endpoint after activation; check the package in Setup.'
          : 'The previous secret is now rejected by the token endpoint, as expected.',
    );
    return check?.accepted === true;
  }

  private async confirm(): Promise<void> {
    const { deps, cfg, ctx } = this;
    if (!this.delivered) throw new Error('engine: confirmation before this run wrote every destination');
    const secret = this.stagedSecret();
    const record = ctx.rotation();
    const old = [this.current, this.escrowed].find((s) => s && s.fingerprint !== secret.fingerprint);
    // Once this run's activation shows the switch, asking about the new secret would repeat what it
    // just learned: the escrow goes at once (the old secret still accepted sends confirm to ask after all).
    const shown = this.switchShown;
    const reads = await settled({
      status: this.switched(),
      fresh: shown ? undefined : this.newAccepted(secret),
      old: old && deps.tokens.check(old.secret, { fresh: true }),
      removed: shown ? deps.secrets.remove(cfg.escrow) : undefined,
    });
    const status = resultOf(reads.status);
    resultOf(reads.fresh);
    // A failed delete first: it says the escrow is still there.
    resultOf(reads.removed);
    // The previous secret still accepted contradicts the reply that named the switch: ask after all.
    if (this.noteOldSecret(reads.old, shown) && shown) await this.newAccepted(secret);
    if (!shown) await deps.secrets.remove(cfg.escrow);
    const activatedAt =
      record.activatedAt ?? status.lastActivatedAt?.toISOString() ?? ctx.now().toISOString();
    // The new secret's age: Marketing Cloud's, unless the record of its staging is older.
    ctx.recordOldestAge(status.active, new Date(record.stagedAt), secret.fingerprint);
    // Not saved: the platforms show a later run this rotation is over (docs/DESIGN.md, "Saves").
    ctx.completed(secret, activatedAt);
    // Preflight found the escrow already gone, yet could not show the rotation over (a read failed):
    // record it, or every later run delivers and confirms again.
    if (this.escrow && !this.escrow.at && !this.stagedHere) this.ctx.oweIdle();
  }
}
