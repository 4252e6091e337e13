// The engine's StateStore over workflow artifacts. A run believes only the
// newest state artifact of the configured name that a trusted run made
// (state-candidates.ts, by the rules of state-provenance.ts), downloaded and
// unpacked within caps (state-download.ts); every other one is named in the
// log and the summary with the reason it was skipped. Artifacts are readable
// by anyone with read access, so only the state document (which holds no
// secret) is ever written (state-save.ts).
import type { ArtifactClient } from '@actions/artifact';
import type { Octokit } from 'octokit';
import { errorMessage } from '../errors.ts';
import type { RetryPolicy, Sleep } from '../retry.ts';
import type { LoadedState, StateStore } from '../rotation/ports.ts';
import type { RotationState } from '../rotation/state.ts';
import { UnreadableArtifact } from './artifact-zip.ts';
import { createCandidates, newSearch, noteOf, nothingFound, type Search, skip } from './state-candidates.ts';
import { stateRetry } from './state-common.ts';
import { createStateReader } from './state-download.ts';
import type { ListedArtifact } from './state-provenance.ts';
import { createStateSaver } from './state-save.ts';
import { DEFAULT_GITHUB_TIMEOUT_MS } from './timeout.ts';

export interface ArtifactStateStoreOptions {
  /** e.g. sfmc-rotation-<clientId> */
  artifactName: string;
  retentionDays: number;
  /** The current repository. */
  owner: string;
  repo: string;
  /**
   * From createGitHubClient (octokit.ts) with the state-token (actions:read):
   * lists artifacts, reads runs, asks for an artifact's download link.
   */
  octokit: Octokit;
  /**
   * @actions/artifact's client, for saving; or a function that loads it, so a
   * run that never saves never loads the package (main.ts passes one).
   */
  artifactClient: ArtifactClient | (() => Promise<ArtifactClient>);
  /**
   * GITHUB_RUN_ATTEMPT: the first attempt of a run has no earlier state
   * artifact of its own until it saves one, so its first save deletes nothing.
   */
  runAttempt?: number;
  /**
   * Per-attempt limit of each GitHub call (default 30 s), given to the
   * storage download too; a save attempt gets four times this.
   */
  timeoutMs?: number;
  /** A private temporary directory for upload files. */
  workDir: string;
  log: { debug(m: string): void; info(m: string): void; warning(m: string): void };
  /** Waits between retries of the storage download and of a save; tests pass a fake. */
  sleep?: Sleep;
  policy?: RetryPolicy;
}

/** When the artifact was created, for the state's age (a run refreshes state older than half its retention). */
function savedAtOf(artifact: ListedArtifact): Date | undefined {
  const savedAt = artifact.created_at ? new Date(artifact.created_at) : undefined;
  return savedAt && !Number.isNaN(savedAt.getTime()) ? savedAt : undefined;
}

/** What load returns for the state of `artifact`, with the note of what the search passed over. */
function loaded(state: RotationState, artifact: ListedArtifact, search: Search): LoadedState {
  const savedAt = savedAtOf(artifact);
  const note = noteOf(search, undefined);
  return { state, ...(savedAt && { savedAt }), ...(note && { note }) };
}

export function createArtifactStateStore(options: ArtifactStateStoreOptions): StateStore {
  const { log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const retried = stateRetry(options);
  const trusted = createCandidates(options);
  const read = createStateReader({ ...options, timeoutMs, retried });

  async function load(): Promise<LoadedState> {
    const search = newSearch();
    for await (const artifact of trusted(search)) {
      const label = `state artifact ${artifact.id} (run ${artifact.workflow_run?.id})`;
      try {
        const state = await read(artifact);
        log.debug(`Loaded ${label}: phase ${state.phase}`);
        return loaded(state, artifact, search);
      } catch (error) {
        if (!(error instanceof UnreadableArtifact)) {
          // Not an answer about the artifact (GitHub did not answer): an older state is no substitute.
          return { note: noteOf(search, `${label} could not be downloaded: ${errorMessage(error)}`) };
        }
        skip(search, artifact, error.message, log);
      }
    }
    return { note: nothingFound(search) };
  }

  return { load, ...createStateSaver({ ...options, timeoutMs, retried }) };
}
