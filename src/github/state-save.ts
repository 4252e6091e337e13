// Saving the state document as a workflow artifact with @actions/artifact.
// Artifacts are immutable and a name is unique within a run, so a save first
// deletes this run's earlier artifact of the name when there may be one. Each
// attempt races a deadline (the client takes no abort signal), and a save the
// artifact service never answered is repeated.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import { DestinationError, errorMessage } from '../errors.ts';
import { type RotationState, stateSchema } from '../rotation/state.ts';
import { type Retried, STATE_FILE, STATE_SUBJECT } from './state-common.ts';
import { TimedOut, withDeadline } from './timeout.ts';

export interface StateSaverOptions {
  artifactName: string;
  retentionDays: number;
  /** The client, or a function that loads it (so a run that never saves never loads the package). */
  artifactClient: ArtifactClient | (() => Promise<ArtifactClient>);
  /** GITHUB_RUN_ATTEMPT: a re-run attempt shares the run's artifacts, so its first save deletes first. */
  runAttempt?: number;
  /** Per-call limit of GitHub calls; a save attempt gets four times this. */
  timeoutMs: number;
  /** A private temporary directory for upload files. */
  workDir: string;
  log: { debug(m: string): void };
  retried: Retried;
}

/** A save the artifact service never answered (@actions/artifact's NetworkError text); worth repeating. */
class UnansweredSave extends DestinationError {}

function saveFailure(message: string, error: unknown): DestinationError {
  const unanswered = /Unable to make request: (ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH)/.test(
    errorMessage(error),
  );
  return new (unanswered ? UnansweredSave : DestinationError)(
    STATE_SUBJECT,
    `${message}: ${errorMessage(error)}`,
  );
}

/**
 * Returns `save(state)`, which resolves with the new artifact's id, and
 * `withdraw()`, which deletes this run's state artifact again.
 */
export function createStateSaver(options: StateSaverOptions) {
  const { artifactName, log } = options;
  let client: Promise<ArtifactClient> | undefined;
  const artifactClient = (): Promise<ArtifactClient> => {
    const given = options.artifactClient;
    client ??= typeof given === 'function' ? given() : Promise.resolve(given);
    return client;
  };
  /** An artifact of this name may exist in this run: saved earlier in it, or by an earlier attempt. */
  let mayExist = (options.runAttempt ?? 1) > 1;

  /** This run's state artifact deleted, if it may have one; `failure` says what failed. */
  async function deleteOwn(artifacts: ArtifactClient, failure: string): Promise<void> {
    if (!mayExist) return;
    try {
      const { id } = await artifacts.deleteArtifact(artifactName);
      log.debug(`Deleted this run's state artifact ${id}`);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ArtifactNotFoundError')) {
        throw saveFailure(`${failure} "${artifactName}"`, error);
      }
    }
  }

  /** One save: this run's earlier state artifact deleted, the new one uploaded from `dir`. */
  async function saveOnce(dir: string, document: RotationState): Promise<{ artifactId: number }> {
    const file = join(dir, STATE_FILE);
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    const artifacts = await artifactClient();
    await deleteOwn(artifacts, "Could not replace this run's state artifact");
    let id: number | undefined;
    try {
      // From here on an artifact of this name may exist (an upload that failed may have created it).
      mayExist = true;
      ({ id } = await artifacts.uploadArtifact(artifactName, [file], dir, {
        retentionDays: options.retentionDays,
      }));
    } catch (error) {
      throw saveFailure(`Could not save the state artifact "${artifactName}"`, error);
    }
    if (id === undefined) {
      throw new DestinationError(STATE_SUBJECT, `Saving the state artifact "${artifactName}" returned no id`);
    }
    log.debug(`Saved state (phase ${document.phase}) as artifact ${id}`);
    return { artifactId: id };
  }

  /**
   * One save attempt with a deadline: @actions/artifact takes no abort signal
   * and its HTTP client waits up to 3 minutes per attempt (5 attempts), so the
   * attempt is given four per-call limits (2 minutes by default). The
   * directory goes either way; an abandoned upload then fails harmlessly.
   */
  async function saveWithin(document: RotationState): Promise<{ artifactId: number }> {
    const dir = await mkdtemp(join(options.workDir, 'state-save-'));
    const { timeoutMs } = options;
    try {
      return await withDeadline('Saving the state artifact', 4 * timeoutMs, () => saveOnce(dir, document));
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      throw new DestinationError(STATE_SUBJECT, `${error.message}; GitHub's artifact service did not answer`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function save(state: RotationState): Promise<{ artifactId: number }> {
    // Parsing drops any field the schema does not define: nothing else can reach the artifact.
    const document = stateSchema.parse(state);
    // @actions/artifact retries 5xx and 429 itself but gives up on the first
    // connection failure; a save is idempotent (delete, then upload), so repeat it.
    // A save that fails is safe: the escrow holds the secret and the next run resumes.
    return options.retried(
      'Saving the state',
      () => saveWithin(document),
      (error) => ({ retry: error instanceof UnansweredSave }),
    );
  }

  /** The artifact service's DeleteArtifact for this run's artifact of the name, within the per-call limit. */
  async function withdraw(): Promise<void> {
    const artifacts = await artifactClient();
    await withDeadline('Withdrawing the state artifact', options.timeoutMs, () =>
      deleteOwn(artifacts, "Could not withdraw this run's state artifact"),
    );
    mayExist = false;
  }

  return { save, withdraw };
}
