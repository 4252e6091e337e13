// What both rotation flows (management API, and a person in Setup) share:
// the dependencies, the result being built, step timing, the state document
// and writing a secret to every destination.
import type { Config, Destination } from '../config.ts';
import { ActionError, DestinationError, errorMessage } from '../errors.ts';
import { type ModeRule, modeRules } from '../modes.ts';
import type { Sleep } from '../retry.ts';
import { type InHand, SKEW_MS } from './assess.ts';
import { fingerprint } from './fingerprint.ts';
import type {
  Clock,
  Log,
  ManagementPort,
  PublishOutcome,
  ReminderPort,
  SecretStatus,
  SecretsPort,
  StateStore,
  TokenCheck,
  TokenPort,
  WorkflowRunsPort,
} from './ports.ts';
import {
  type AgeReading,
  type AgeSource,
  type DestinationResult,
  emptyResult,
  oldestAge,
  type RunResult,
  type StepName,
  type StepRecord,
} from './result.ts';
import {
  type ActiveSecret,
  type HistoryEntry,
  type Phase,
  type RotationRecord,
  type RotationState,
  STATE_SCHEMA_VERSION,
} from './state.ts';

export type EngineConfig = Pick<
  Config,
  | 'mode'
  | 'management'
  | 'clientId'
  | 'clientSecret'
  | 'stagedClientSecret'
  | 'previousClientSecret'
  | 'destinations'
  | 'escrow'
  | 'previousEscrow'
  | 'reminderIssue'
  | 'rotateAfterDays'
  | 'description'
  | 'maxWaitSeconds'
  | 'stateRetentionDays'
  | 'runId'
  | 'runAttempt'
>;

export interface EngineDeps {
  config: EngineConfig;
  tokens: TokenPort;
  /** The management API; absent when a person stages and activates in Setup. */
  management?: ManagementPort;
  secrets: SecretsPort;
  store: StateStore;
  /** The reminder issue (Setup flow with `reminder-issue: true`). */
  reminders?: ReminderPort;
  /** The repository's workflow runs (state-token), to leave alone a rotation another live run is carrying out. */
  runs?: WorkflowRunsPort;
  clock: Clock;
  sleep: Sleep;
  log: Log;
  /** Told which secret of the rotated package Marketing Cloud accepts now (a self-managed admin client uses it). */
  onWorkingSecret?: (secret: string) => void;
}

export const DAY_MS = 86_400_000;
const HISTORY_LIMIT = 50;

export function inHand(clientId: string, secret: string, accepted: boolean): InHand {
  return { secret, fingerprint: fingerprint(clientId, secret), accepted };
}

/** The client secret the workflow holds is rejected: say what to pass, and what else may be wrong. */
export function rejectedClientSecret(cfg: EngineConfig, why: string, extra = ''): ActionError {
  return new ActionError(
    'client-secret',
    `Marketing Cloud rejects client-secret for client ${cfg.clientId} (${why}). ` +
      `Pass the secret your workflow holds now (for example \${{ secrets.${cfg.destinations[0]?.name} }}), ` +
      'and check client-id and account-id; nothing was changed.' +
      extra,
  );
}

/**
 * How long a run may work beyond max-wait-seconds (preflight, writes, saves)
 * before it stops at the next step: every call is bounded, but many slow
 * calls add up while the run holds the concurrency group. Each step is
 * resumable, so stopping before one is safe.
 */
const RUN_BUDGET_BEYOND_WAIT_MS = 600_000;

export class RunContext {
  readonly deps: EngineDeps;
  readonly cfg: EngineConfig;
  readonly result: RunResult;
  /** What the mode may do under this `management` (src/modes.ts); the engine reads this, never the mode's name. */
  readonly rules: ModeRule;
  /** The newest state, as loaded and then as saved by this run. */
  state: RotationState | undefined;
  /** The rotation in progress, written into the state on each save. */
  record: RotationRecord | undefined;
  /** When the run started (ms since the epoch). */
  readonly startedAt: number;
  /** When waiting must end (max-wait-seconds from the start of the run). */
  readonly deadline: number;
  /** After this no step starts (RUN_BUDGET_BEYOND_WAIT_MS beyond the deadline). */
  readonly budgetEnds: number;
  /** The active secret and when it was generated, as this run learned it; saved with the state. */
  activeSecret: ActiveSecret | undefined;
  /** When the loaded state was saved (the older of the artifact's creation and the state's time). */
  private loadedAt: Date | undefined;
  /** A state was saved by this run. */
  private saved = false;
  /** `idle` is to be saved at the run's successful end (`saveOwedIdle`). */
  private idleOwed = false;
  /** This run received stale inputs (another run finished the rotation since it was queued): it saves nothing aside. */
  private stoodDown = false;
  /** The phase marked but not yet saved (see `mark`). */
  private pending: Phase | undefined;
  /** Each destination's `updated_at` as first read in this run, before this run wrote any. */
  private destinationTimes: Map<string, Date | undefined> | undefined;
  /** Preflight's answers of the token endpoint, by fingerprint (`ask`). */
  private readonly answers = new Map<string, Promise<TokenCheck>>();

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.cfg = deps.config;
    this.rules = modeRules[this.cfg.management][this.cfg.mode];
    this.startedAt = deps.clock.now();
    this.deadline = this.startedAt + this.cfg.maxWaitSeconds * 1000;
    this.budgetEnds = this.deadline + RUN_BUDGET_BEYOND_WAIT_MS;
    this.result = emptyResult(this.cfg.mode);
  }

  now(): Date {
    return new Date(this.deps.clock.now());
  }

  /**
   * Preflight's question to the token endpoint about a secret passed in: the
   * same secret passed in twice (same fingerprint) is asked about once, and
   * both share the answer.
   */
  ask(secret: string, options?: { fresh?: boolean }): Promise<TokenCheck> {
    const key = fingerprint(this.cfg.clientId, secret);
    const answer = this.answers.get(key) ?? this.deps.tokens.check(secret, options);
    this.answers.set(key, answer);
    return answer;
  }

  /** The secret in hand, if one was passed in, and whether the token endpoint accepts it (`ask`). */
  async held(secret: string | undefined, options?: { fresh?: boolean }): Promise<InHand | undefined> {
    if (!secret) return undefined;
    return inHand(this.cfg.clientId, secret, (await this.ask(secret, options)).accepted);
  }

  /**
   * Records the active secret's age in `api` mode: Marketing Cloud's, unless the state's record of
   * the same secret is older (a wrong record can only make a rotation due early).
   */
  recordOldestAge(active: SecretStatus['active'], recorded: Date | undefined, fp?: string): boolean {
    const readings: AgeReading[] = [{ at: active.createdAt, source: 'management-api' }];
    if (recorded) readings.push({ at: recorded, source: 'state' });
    const oldest = oldestAge(readings) as AgeReading;
    const lifetime = active.expiresAt.getTime() - active.createdAt.getTime();
    return this.recordAge(oldest.at, oldest.source, new Date(oldest.at.getTime() + lifetime), fp);
  }

  /**
   * Records the active secret's age and dates in the result (and, given its
   * fingerprint, in the state saved next); true when a rotation is due.
   */
  recordAge(createdAt: Date, source: AgeSource, expiresAt: Date, fp?: string): boolean {
    if (fp) this.activeSecret = { fingerprint: fp, createdAt: createdAt.toISOString() };
    this.result.secretAge = { createdAt, source };
    this.result.expiresAt = expiresAt;
    this.result.nextRotationAt = new Date(createdAt.getTime() + this.cfg.rotateAfterDays * DAY_MS);
    return this.deps.clock.now() >= this.result.nextRotationAt.getTime();
  }

  notDue(): string {
    return `No rotation due; the next one is due ${this.result.nextRotationAt?.toISOString() ?? 'later'}.`;
  }

  /** The headline of `status` and `plan`: status also names the phase. */
  reportHeadline(text: string): void {
    this.result.headline = `${this.rules.effect === 'report' ? `Phase ${this.result.phase}. ` : ''}${text}`;
  }

  async step<T>(name: StepName, detail: string, fn: () => Promise<T>): Promise<T> {
    this.withinBudget(name);
    const record: StepRecord = {
      step: name,
      startedAt: this.now(),
      endedAt: this.now(),
      outcome: 'done',
      detail,
    };
    this.result.steps.push(record);
    // The headline stays outside the group: a reader (and the crash tests) see every step at a glance.
    this.deps.log.info(`[${name}] ${detail}`);
    try {
      return await this.deps.log.group(`${name} details`, fn);
    } catch (error) {
      record.outcome = 'failed';
      throw error;
    } finally {
      record.endedAt = this.now();
    }
  }

  /** Stops before a step once the run's time budget is spent; the step and all after it are left to the next run. */
  private withinBudget(name: StepName): void {
    if (name === 'load' || name === 'preflight' || this.deps.clock.now() <= this.budgetEnds) return;
    const budget = Math.round((this.budgetEnds - this.startedAt) / 1000);
    throw new ActionError(
      'time budget',
      `This run used its time budget (max-wait-seconds + ${RUN_BUDGET_BEYOND_WAIT_MS / 1000} s = ${budget} s) ` +
        `before the ${name} step: GitHub or Marketing Cloud answered slowly. It stopped there, a safe point: ` +
        'nothing of that step was done. Run again; the rotation resumes where it stopped.',
    );
  }

  /**
   * Proves the github-token can write at `destination` (a probe secret beside
   * it: docs/DESIGN.md, "Finding a missing permission"), then runs `next`
   * while the probe is deleted; a probe left behind is a note.
   */
  async afterWriteCheck<T>(destination: Destination, next: () => Promise<T>): Promise<T> {
    const probe = await this.deps.secrets.probeWrite(destination);
    try {
      return await next();
    } finally {
      const left = await probe.removed;
      if (left) this.result.notes.push(left);
    }
  }

  /** Records a step that was not run, and why. */
  skip(name: StepName, detail: string): void {
    this.result.steps.push({
      step: name,
      startedAt: this.now(),
      endedAt: this.now(),
      outcome: 'skipped',
      detail,
    });
  }

  /** The load step: the newest state of this client, if any. */
  async load(): Promise<void> {
    const loaded = await this.step('load', 'find the newest state artifact', () => this.deps.store.load());
    if (loaded.state && loaded.state.clientId !== this.cfg.clientId) {
      this.result.notes.push(
        `The state artifact belongs to client ${loaded.state.clientId}; it was ignored.`,
      );
    } else {
      this.state = loaded.state;
      // The older of the artifact's creation and the state's own time: a refresh only ever comes early.
      const times = [loaded.savedAt, loaded.state && new Date(loaded.state.updatedAt)].filter(
        (t): t is Date => t !== undefined,
      );
      this.loadedAt = times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
    }
    if (loaded.note) this.result.notes.push(`State: ${loaded.note}.`);
    this.result.phase = this.state?.phase ?? 'idle';
  }

  /**
   * The stored state contradicts what the platforms show: say so, and go on
   * as if there were none (the state may tell where to resume, never block).
   */
  setAside(why: string): void {
    this.distrust(
      `The stored rotation state was set aside: ${why}. This run continues from what Marketing Cloud and GitHub show.`,
    );
    this.state = undefined;
    this.record = undefined;
    this.result.phase = 'idle';
  }

  /** A warning in the log and a note in the summary, about state this run did not believe. */
  distrust(text: string): void {
    this.deps.log.warning(text);
    this.result.notes.push(text);
  }

  /** When the state says the secret with this fingerprint was generated: as the active one, or from a rotation in its history. */
  stateAgeOf(fp: string): Date | undefined {
    const { state } = this;
    if (state?.activeSecret?.fingerprint === fp) return new Date(state.activeSecret.createdAt);
    const rotation = state?.history.findLast((h) => h.fingerprint === fp);
    return rotation ? new Date(rotation.stagedAt) : undefined;
  }

  /** Each destination's `updated_at`, read once per run (so before this run writes any). */
  async destinationsWrittenAt(): Promise<Map<string, Date | undefined>> {
    if (!this.destinationTimes) {
      // Read together: the secrets client bounds how many requests are in flight.
      const times = await Promise.all(
        this.cfg.destinations.map(async (d) => [d.id, await this.deps.secrets.updatedAt(d)] as const),
      );
      this.destinationTimes = new Map(times);
    }
    return this.destinationTimes;
  }

  /** Says the state's claim that every destination holds the staged secret was set aside: `stale` were not written since. */
  distrustDelivery(stale: string[], since: 'staged' | 'escrowed', consequence = ''): void {
    this.distrust(
      `The stored state says every destination holds the staged secret, but ${stale.join(', ')} ` +
        `${stale.length === 1 ? 'was' : 'were'} not written since it was ${since}; that claim was ignored${consequence}.`,
    );
  }

  /** Destinations with no secret, or one last written before `since` (less the skew): they cannot hold a secret staged then. */
  async writtenBefore(since: Date): Promise<string[]> {
    const times = await this.destinationsWrittenAt();
    return [...times]
      .filter(([, at]) => at === undefined || at.getTime() < since.getTime() - SKEW_MS)
      .map(([id]) => id);
  }

  /** The rotation record, once a rotation is under way. */
  rotation(): RotationRecord {
    if (!this.record) throw new Error('engine: no rotation record');
    return this.record;
  }

  /**
   * The state at this point of the run, with `phase`: by default the rotation
   * under way (none when idle), and the newest state's history and last activation.
   */
  private stateAt(
    phase: Phase,
    extra: Partial<Pick<RotationState, 'rotation' | 'history' | 'lastActivatedAt'>> = {},
  ): RotationState {
    const { cfg } = this;
    const rotation = phase === 'idle' ? null : (this.record ?? null);
    return {
      schemaVersion: STATE_SCHEMA_VERSION,
      clientId: cfg.clientId,
      phase,
      updatedAt: this.now().toISOString(),
      runId: cfg.runId,
      runAttempt: cfg.runAttempt,
      rotation: extra.rotation === undefined ? rotation : extra.rotation,
      lastActivatedAt: extra.lastActivatedAt ?? this.state?.lastActivatedAt ?? null,
      activeSecret: this.activeSecret ?? this.state?.activeSecret,
      history: extra.history ?? this.state?.history ?? [],
    };
  }

  /** Saves the state now: for a step whose crash the platforms would not tell a rerun about. */
  async save(
    phase: Phase,
    extra: Partial<Pick<RotationState, 'history' | 'lastActivatedAt'>> = {},
  ): Promise<void> {
    await this.write(this.stateAt(phase, extra));
  }

  /**
   * Records the phase reached, saved when the run ends (`flush`): for a step
   * whose crash the platforms tell a rerun about (docs/DESIGN.md, "Saves").
   * A save of the run, or a later mark, supersedes it.
   */
  mark(phase: Phase): void {
    this.pending = phase;
    this.result.phase = phase;
  }

  /** Saves the phase last marked, if no save came after it. */
  async flush(): Promise<void> {
    const phase = this.pending;
    if (phase === undefined) return;
    this.pending = undefined;
    await this.save(phase);
  }

  /** This run saved a state. */
  get hasSaved(): boolean {
    return this.saved;
  }

  private async write(state: RotationState): Promise<void> {
    this.pending = undefined;
    const { artifactId } = await this.deps.store.save(state);
    this.saved = true;
    this.state = state;
    this.result.phase = state.phase;
    this.result.stateArtifactId = artifactId;
  }

  /**
   * Artifacts expire (90 days at most in public repositories), and a run saves
   * only when something changes: a run that saved nothing and finds the state
   * older than half its retention saves it again, so a schedule never loses it
   * (`saveAside`: never over another run's newer save).
   */
  async refresh(othersActed: () => Promise<boolean>): Promise<void> {
    const { state, loadedAt, cfg } = this;
    if (!state || !loadedAt) return;
    const ageDays = (this.deps.clock.now() - loadedAt.getTime()) / DAY_MS;
    if (ageDays < cfg.stateRetentionDays / 2) return;
    // The state's phase and rotation as loaded (or settled, once the platforms showed its rotation over),
    // not the record this run holds in memory: it saved no change to them.
    const kept = await this.saveAside(othersActed, state.phase, { rotation: state.rotation });
    if (kept)
      this.result.notes.push(
        `State refreshed: the newest state was saved ${Math.floor(ageDays)} days ago, over half of state-retention-days (${cfg.stateRetentionDays}); it was saved again.`,
      );
  }

  /**
   * The stored rotation is history (the platforms show it over), was set
   * aside, or was finished by this run without a save: a run that acts and
   * saves nothing else saves `idle` at its successful end, so later runs
   * neither read every destination nor warn again (docs/DESIGN.md, "Saves").
   */
  oweIdle(): void {
    this.idleOwed = true;
  }

  /** Saves the owed `idle`, aside (never over the record of a run that staged meanwhile). */
  async saveOwedIdle(othersActed: () => Promise<boolean>): Promise<void> {
    if (this.idleOwed) await this.saveAside(othersActed, 'idle');
  }

  /** This run holds the secret a finished rotation replaced: it changes nothing, the state included. */
  standDown(): void {
    this.stoodDown = true;
  }

  /**
   * Saves a state no step of this run needed (the owed `idle`, a refresh),
   * then asks the platforms whether another run acted since preflight; if so
   * the artifact is withdrawn, so that run's save stays the newest whichever
   * upload came first (docs/DESIGN.md, "Saves"). Only later runs' reads
   * depend on such a save: a failure is a note. Only a run that acts, saved
   * nothing else and did not stand down saves one. True when it was kept.
   */
  async saveAside(
    othersActed: () => Promise<boolean>,
    phase: Phase,
    extra: Partial<Pick<RotationState, 'rotation'>> = {},
  ): Promise<boolean> {
    if (this.rules.effect !== 'act' || this.saved || this.stoodDown) return false;
    // A re-run attempt's save first deletes its run's earlier artifact (names are unique within a run):
    // when that is the newest state, a withdrawal could not bring it back.
    if (this.cfg.runAttempt > 1 && this.state?.runId === this.cfg.runId) return false;
    try {
      await this.write(this.stateAt(phase, extra));
    } catch (error) {
      this.result.notes.push(
        `The state could not be saved as ${phase} (${errorMessage(error)}); a later run reads the platforms again.`,
      );
      return false;
    }
    const acted = await othersActed().catch((error: unknown) => errorMessage(error));
    if (acted === false) return true;
    try {
      await this.deps.store.withdraw();
      this.result.stateArtifactId = undefined;
      this.result.notes.push(
        `${acted === true ? 'Another run changed the rotation while this one worked' : `This run could not ask whether another run changed the rotation (${acted})`}: the state it saved was withdrawn, so such a run's stays the newest.`,
      );
    } catch (error) {
      this.distrust(
        `The state this run saved could not be withdrawn (${errorMessage(error)}), though another run may have changed the rotation since preflight: the newest state may not be that run's. A later run goes by the platforms where the state contradicts them.`,
      );
    }
    return false;
  }

  /**
   * Ends the rotation under way: the result says it rotated, and the state in
   * memory is `idle` with the rotation appended to its history. Saving it is
   * the caller's choice (docs/DESIGN.md, "Saves").
   */
  completed(secret: InHand, activatedAt: string): void {
    this.settle(this.rotation(), activatedAt, {
      fingerprint: secret.fingerprint,
      confirmedAt: this.now().toISOString(),
      runId: this.cfg.runId,
    });
    this.pending = undefined;
    this.result.rotated = true;
    this.result.headline = `Rotated: the new secret is active and delivered to ${this.cfg.destinations.length} destination(s).`;
    this.result.activatedAt = new Date(activatedAt);
  }

  /** Saves `idle` with the finished rotation appended to the history. */
  async saveCompleted(secret: InHand, activatedAt: string): Promise<void> {
    this.completed(secret, activatedAt);
    await this.save('idle');
  }

  /**
   * The stored rotation is over (this run confirmed it, or the platforms show
   * it finished): in memory the state is `idle`, with it in the history, so a
   * later save of this run keeps it, and its staging dates the new secret.
   */
  settle(
    record: RotationRecord,
    activatedAt: string,
    entry: Pick<HistoryEntry, 'fingerprint' | 'runId' | 'confirmedAt'> = {
      fingerprint: record.stagedFingerprint,
      // A record rebuilt from the platforms names no run (0): the run that saved it resumed it.
      runId: record.stagedByRun || (this.state?.runId ?? this.cfg.runId),
    },
  ): void {
    const history = [
      ...(this.state?.history ?? []),
      { ...entry, previousFingerprint: record.previousFingerprint, stagedAt: record.stagedAt, activatedAt },
    ].slice(-HISTORY_LIMIT);
    this.record = undefined;
    const base = this.state ?? this.stateAt('idle');
    // Its secret is the active one now, generated at the staging: the age the state records for it.
    const activeSecret = { fingerprint: entry.fingerprint, createdAt: record.stagedAt };
    this.state = {
      ...base,
      phase: 'idle',
      rotation: null,
      history,
      lastActivatedAt: activatedAt,
      activeSecret,
    };
    this.result.phase = 'idle';
  }

  /**
   * Writes the secret to every destination. `publish` records progress in the
   * rotation record; `restore` puts the active secret back. Any failure
   * throws, naming the destinations, after the other writes were made.
   */
  async writeDestinations(secret: string, kind: 'publish' | 'restore'): Promise<PublishOutcome[]> {
    const outcomes = await this.deps.secrets.publish(this.cfg.destinations, secret);
    this.result.destinations = outcomes.map(
      (o): DestinationResult => ({
        destination: o.destination,
        outcome: o.ok ? 'updated' : 'failed',
        error: o.error,
      }),
    );
    if (kind === 'publish') {
      const record = this.rotation();
      const done = new Set(record.publishedTo);
      for (const o of outcomes) if (o.ok) done.add(o.destination.id);
      record.publishedTo = [...done];
      this.result.destinationsUpdated = outcomes.filter((o) => o.ok).map((o) => o.destination.id);
    }
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw new DestinationError(
        failed[0]?.destination.id ?? 'destinations',
        `Could not write ${failed.length} of ${outcomes.length} destinations; nothing was activated. ` +
          failed.map((o) => o.error ?? o.destination.id).join(' ') +
          ' Fix this and run again: the rotation resumes.',
      );
    }
    return outcomes;
  }
}

/** What each flow reads of the run's context. */
export abstract class Flow {
  protected readonly ctx: RunContext;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
  }

  protected get cfg(): EngineConfig {
    return this.ctx.cfg;
  }

  protected get rules(): ModeRule {
    return this.ctx.rules;
  }

  protected get deps(): EngineDeps {
    return this.ctx.deps;
  }

  protected get result(): RunResult {
    return this.ctx.result;
  }

  /** Carries the rotation as far as it can in this run. */
  abstract run(): Promise<void>;

  /**
   * The platforms, asked again, show that another run (or a person) changed
   * the rotation since preflight: a save this run made aside must not hide
   * that run's (`RunContext.saveAside`).
   */
  abstract othersActed(): Promise<boolean>;
}
