// The ports the engine depends on. Adapters implement them; main.ts wires
// them. Nothing here knows HTTP.
import type { Destination } from '../config.ts';
import { MarketingCloudError } from '../errors.ts';
import type { RotationState } from './state.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The slice of @actions/core the engine uses (also satisfied by core itself). */
export interface Log {
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
  /** Registers a value with the runner's log masker (`::add-mask::`). */
  setSecret(secret: string): void;
  /** Runs `fn` with the lines it logs folded in a collapsible group (`core.group`) titled `title`. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** Marketing Cloud token endpoint, for the package being rotated. */
export interface TokenPort {
  /**
   * Requests a token with this secret. Resolves `accepted` on 200 and
   * `rejected` on 401 invalid_client; retries 429/5xx/network failures;
   * throws on anything else. `fresh` bypasses the cached token.
   */
  check(clientSecret: string, options?: { fresh?: boolean }): Promise<TokenCheck>;
}

export type TokenCheck = { accepted: true } | { accepted: false; reason: string };

export interface SecretStatus {
  clientId: string;
  active: { createdAt: Date; expiresAt: Date };
  staged: { createdAt: Date; usableAt: Date; expiresAt: Date; description: string } | null;
  lastGeneratedAt: Date | null;
  lastActivatedAt: Date | null;
}

export interface StagedSecret {
  clientSecret: string;
  createdAt: Date;
  usableAt: Date;
  expiresAt: Date;
}

/** The management contract v1 of DESIGN.md. 429 with Retry-After is honoured inside. */
export interface ManagementPort {
  status(): Promise<SecretStatus>;
  /**
   * Generates a new staged secret, replacing any staged one. `unchanged` runs
   * before every attempt (the first and each retry) and throws to call it off:
   * the caller re-checks that nobody else generated or escrowed a secret since
   * it decided to stage.
   */
  stage(description: string, unchanged?: () => Promise<void>): Promise<StagedSecret>;
  /** Activates the staged secret; throws NothingStagedError when there is none. */
  activate(): Promise<{ activatedAt: Date; expiresAt: Date }>;
}

/**
 * Activation found nothing staged: the staging was activated meanwhile (by
 * another run, or in Setup), or never happened. Its message says what to do
 * when the caller cannot tell the first case.
 */
export class NothingStagedError extends MarketingCloudError {}

export interface PublishOutcome {
  destination: Destination;
  ok: boolean;
  /** Why it failed; names the destination and the fix. Never holds the secret. */
  error?: string;
}

/** GitHub Actions / Dependabot secrets. */
export interface SecretsPort {
  /**
   * Read-only preflight: fetch each distinct scope's public key once and
   * resolve organization repository names to ids. Throws a DestinationError
   * naming the first destination that cannot be written.
   */
  prepare(destinations: Destination[]): Promise<void>;
  /**
   * Proves the token may write at the destination without touching its secret: writes a probe secret
   * beside it, or throws a DestinationError naming the missing permission. Resolves once written; the
   * probe's delete goes on meanwhile, and `removed` ends with why it was left behind, if it was.
   */
  probeWrite(destination: Destination): Promise<{ removed: Promise<string | undefined> }>;
  /** Seal and write the value to each destination (bounded parallelism, retries). */
  publish(destinations: Destination[], plaintext: string): Promise<PublishOutcome[]>;
  /** Delete the secret at the destination; absent is fine. */
  remove(destination: Destination): Promise<void>;
  /** The secret's `updated_at`, or undefined when it does not exist. */
  updatedAt(destination: Destination): Promise<Date | undefined>;
}

export interface LoadedState {
  state?: RotationState;
  /** When the artifact that holds `state` was created (a run refreshes state older than half its retention). */
  savedAt?: Date;
  /** Why no state was used (none found, expired, unreadable, invalid), for the summary. */
  note?: string;
}

export interface StateStore {
  load(): Promise<LoadedState>;
  /** Writes a new artifact; a later save in one run supersedes an earlier one. */
  save(state: RotationState): Promise<{ artifactId: number }>;
  /** Deletes the state this run saved last, so the newest is again the one before it (or another run's). */
  withdraw(): Promise<void>;
}

/** The reminder issue of `management: setup` (one open issue per client id, never duplicated). */
export interface ReminderPort {
  /** Opens the reminder issue, or updates the open one. */
  open(title: string, body: string): Promise<{ number: number; url: string }>;
  /** Comments on and closes the open reminder issue, if there is one. */
  close(comment: string): Promise<{ number: number } | undefined>;
}

/** Workflow runs of the repository, to tell whether the run that staged a secret is still at work. */
export interface WorkflowRunsPort {
  /** True while the run is queued or in progress, false once it completed or when it does not exist, undefined when GitHub could not tell. */
  isActive(runId: number): Promise<boolean | undefined>;
}
