// What both rotation flows (management API, and a person in Setup) share:
// the dependencies, the result being built, step timing, the state document
// and writing a secret to every destination.
import type { Config, Destination } from '../config.ts';
import { ActionError, DestinationError } from '../errors.ts';
import type { Sleep } from '../retry.ts';
import type { InHand } from './assess.ts';
import { fingerprint } from './fingerprint.ts';
import type {
  Clock,
  Log,
  ManagementPort,
  PublishOutcome,
  ReminderPort,
  SecretsPort,
  StateStore,
  TokenPort,
  WorkflowRunsPort,
} from './ports.ts';
import {
  type AgeSource,
  type DestinationResult,
  emptyResult,
  type RunResult,
  type StepName,
  type StepRecord,
} from './result.ts';
import { type Phase, type RotationRecord, type RotationState, STATE_SCHEMA_VERSION } from './state.ts';

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

export class RunContext {
  readonly deps: EngineDeps;
  readonly cfg: EngineConfig;
  readonly result: RunResult;
  /** The newest state, as loaded and then as saved by this run. */
  state: RotationState | undefined;
  /** The rotation in progress, written into the state on each save. */
  record: RotationRecord | undefined;
  /** When waiting must end (max-wait-seconds from the start of the run). */
  readonly deadline: number;

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.cfg = deps.config;
    this.deadline = deps.clock.now() + this.cfg.maxWaitSeconds * 1000;
    this.result = emptyResult(this.cfg.mode);
  }

  now(): Date {
    return new Date(this.deps.clock.now());
  }

  /**
   * The secret in hand and whether the token endpoint accepts it; one already
   * checked in this run (same fingerprint) is not asked about again.
   */
  async held(
    secret: string | undefined,
    known: InHand[],
    options?: { fresh?: boolean },
  ): Promise<InHand | undefined> {
    if (!secret) return undefined;
    const held = inHand(this.cfg.clientId, secret, false);
    const same = known.find((k) => k.fingerprint === held.fingerprint);
    held.accepted = same ? same.accepted : (await this.deps.tokens.check(secret, options)).accepted;
    return held;
  }

  /** Records the active secret's age and dates in the result; true when a rotation is due. */
  recordAge(createdAt: Date, source: AgeSource, expiresAt: Date): boolean {
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
    this.result.headline = `${this.cfg.mode === 'status' ? `Phase ${this.result.phase}. ` : ''}${text}`;
  }

  async step<T>(name: StepName, detail: string, fn: () => Promise<T>): Promise<T> {
    const record: StepRecord = {
      step: name,
      startedAt: this.now(),
      endedAt: this.now(),
      outcome: 'done',
      detail,
    };
    this.result.steps.push(record);
    this.deps.log.info(`[${name}] ${detail}`);
    try {
      return await fn();
    } catch (error) {
      record.outcome = 'failed';
      throw error;
    } finally {
      record.endedAt = this.now();
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
    }
    if (loaded.note) this.result.notes.push(`State: ${loaded.note}.`);
    this.result.phase = this.state?.phase ?? 'idle';
  }

  /** The rotation record, once a rotation is under way. */
  rotation(): RotationRecord {
    if (!this.record) throw new Error('engine: no rotation record');
    return this.record;
  }

  async save(
    phase: Phase,
    extra: Partial<Pick<RotationState, 'history' | 'lastActivatedAt'>> = {},
  ): Promise<void> {
    const { cfg } = this;
    const state: RotationState = {
      schemaVersion: STATE_SCHEMA_VERSION,
      clientId: cfg.clientId,
      phase,
      updatedAt: this.now().toISOString(),
      runId: cfg.runId,
      runAttempt: cfg.runAttempt,
      rotation: phase === 'idle' ? null : (this.record ?? null),
      lastActivatedAt: extra.lastActivatedAt ?? this.state?.lastActivatedAt ?? null,
      history: extra.history ?? this.state?.history ?? [],
    };
    const { artifactId } = await this.deps.store.save(state);
    this.state = state;
    this.result.phase = phase;
    this.result.stateArtifactId = artifactId;
  }

  /** Saves `idle` with the finished rotation appended to the history. */
  async saveCompleted(secret: InHand, activatedAt: string): Promise<void> {
    const record = this.rotation();
    const history = [
      ...(this.state?.history ?? []),
      {
        fingerprint: secret.fingerprint,
        previousFingerprint: record.previousFingerprint,
        stagedAt: record.stagedAt,
        activatedAt,
        confirmedAt: this.now().toISOString(),
        runId: this.cfg.runId,
      },
    ].slice(-HISTORY_LIMIT);
    this.record = undefined;
    this.result.rotated = true;
    this.result.headline = `Rotated: the new secret is active and delivered to ${this.cfg.destinations.length} destination(s).`;
    this.result.activatedAt = new Date(activatedAt);
    await this.save('idle', { history, lastActivatedAt: activatedAt });
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

  /** The active secret's age from the first destination's `updated_at`, when nothing better is known. */
  async destinationAge(): Promise<Date | undefined> {
    const first: Destination | undefined = this.cfg.destinations[0];
    return first ? this.deps.secrets.updatedAt(first) : undefined;
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

  protected get deps(): EngineDeps {
    return this.ctx.deps;
  }

  protected get result(): RunResult {
    return this.ctx.result;
  }
}
