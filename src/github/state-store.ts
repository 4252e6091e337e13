// The engine's StateStore over workflow artifacts. A run believes only the
// newest state artifact of the configured name that a trusted run made (see
// state-provenance.ts), downloaded and unpacked within caps (artifact-zip.ts);
// every other one is named in the log and the summary with the reason it was
// skipped. Artifacts are readable by anyone with read access, so only the
// state document (which holds no secret) is ever written.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import type { Octokit } from 'octokit';
import { z } from 'zod';
import { DestinationError } from '../errors.ts';
import {
  parseRetryAfter,
  type RetryOptions,
  type RetryPolicy,
  realSleep,
  type Sleep,
  withRetry,
} from '../retry.ts';
import type { LoadedState, StateStore } from '../rotation/ports.ts';
import { parseState, type RotationState, stateSchema } from '../rotation/state.ts';
import { readCapped, readZipEntry, UnreadableArtifact } from './artifact-zip.ts';
import { httpFailure } from './http-failure.ts';
import {
  type ListedArtifact,
  listedArtifactSchema,
  listedDistrust,
  MAX_STATE_ARTIFACT_BYTES,
  runDistrust,
  type WorkflowRunOrigin,
  workflowRunSchema,
} from './state-provenance.ts';
import { DEFAULT_GITHUB_TIMEOUT_MS, fetchWithTimeout, TimedOut, withDeadline } from './timeout.ts';

export interface ArtifactStateStoreOptions {
  /** e.g. sfmc-rotation-<clientId> */
  artifactName: string;
  retentionDays: number;
  /** The current repository. */
  owner: string;
  repo: string;
  /** GITHUB_API_URL */
  apiUrl: string;
  /** Token with actions:read, for reading earlier runs' artifacts and runs. */
  stateToken: string;
  /** From createGitHubClient (octokit.ts) with the state-token: lists artifacts, reads runs. */
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
  /** For the download (a redirect to storage); each attempt is bounded by `timeoutMs`. */
  fetch?: typeof fetch;
  /** Per-attempt limit of each GitHub call (default 30 s); a save attempt gets four times this. */
  timeoutMs?: number;
  /** A private temporary directory for upload files. */
  workDir: string;
  log: { debug(m: string): void; info(m: string): void; warning(m: string): void };
  /** Waits between retries; tests pass a fake. */
  sleep?: Sleep;
  policy?: RetryPolicy;
}

export const STATE_FILE = 'state.json';
/** The subject of errors that are not about the token. */
const SUBJECT = 'state artifact';
/** Pages of 100 artifacts looked at, newest first: a flood of planted artifacts cannot make the load unbounded. */
const MAX_PAGES = 5;
/** Runs asked about (one GET each) before the load gives up looking for a trusted artifact. */
const MAX_RUN_LOOKUPS = 10;
/** Skipped artifacts named one by one in the summary note (the log names all). */
const MAX_NOTED = 5;

const LIST = 'GET /repos/{owner}/{repo}/actions/artifacts';
const GET_RUN = 'GET /repos/{owner}/{repo}/actions/runs/{run_id}';

/** A non-2xx answer to the download. */
class HttpFailure extends Error {
  readonly response: { status: number; headers: Record<string, string>; data: unknown };
  constructor(status: number, headers: Headers, data: unknown) {
    super(`HTTP ${status}`);
    this.response = { status, headers: Object.fromEntries(headers), data };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A save the artifact service never answered (@actions/artifact's NetworkError text); worth repeating. */
class UnansweredSave extends DestinationError {}

function saveFailure(message: string, error: unknown): DestinationError {
  const unanswered = /Unable to make request: (ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH)/.test(
    errorMessage(error),
  );
  return new (unanswered ? UnansweredSave : DestinationError)(SUBJECT, `${message}: ${errorMessage(error)}`);
}

/** A download: server errors and 429 (after Retry-After), no answer or a timeout, but never a DestinationError. */
function classifyDownload(error: unknown) {
  if (error instanceof HttpFailure) {
    const { status, headers } = error.response;
    return status >= 500 || status === 429
      ? { retry: true as const, retryAfterMs: parseRetryAfter(headers['retry-after']) }
      : { retry: false as const };
  }
  return error instanceof DestinationError || error instanceof UnreadableArtifact
    ? { retry: false as const }
    : { retry: true as const };
}

/** What load found while looking: skipped artifacts (for the log and the summary) and runs asked about. */
interface Search {
  skipped: string[];
  expired: number;
  runs: Map<number, WorkflowRunOrigin>;
}

function noteOf(search: Search, found: string | undefined): string | undefined {
  const named = search.skipped.slice(0, MAX_NOTED);
  const more = search.skipped.length - named.length;
  const parts = [
    ...(found ? [found] : []),
    ...(named.length > 0
      ? [`ignored ${named.join('; ')}${more > 0 ? `; and ${more} more (see the log)` : ''}`]
      : []),
    ...(search.expired > 0 ? [`${search.expired} expired state artifact(s) skipped`] : []),
  ];
  return parts.length > 0 ? parts.join('. ') : undefined;
}

export function createArtifactStateStore(options: ArtifactStateStoreOptions): StateStore {
  const { artifactName, owner, repo, octokit, log } = options;
  let client: Promise<ArtifactClient> | undefined;
  const artifactClient = (): Promise<ArtifactClient> => {
    const given = options.artifactClient;
    client ??= typeof given === 'function' ? given() : Promise.resolve(given);
    return client;
  };
  /** An artifact of this name may exist in this run: saved earlier in it, or by an earlier attempt. */
  let mayExist = (options.runAttempt ?? 1) > 1;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const fetchImpl = fetchWithTimeout(timeoutMs, options.fetch ?? fetch);
  const repository = `${owner}/${repo}`;
  const repoPath = `${options.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const headers = {
    authorization: `Bearer ${options.stateToken}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'sfmc-secret-rotation',
  };

  /** Repeats `operation` while `classify` says so, logging each failure under `what`. */
  const retried = <T>(what: string, operation: () => Promise<T>, classify: RetryOptions['classify']) =>
    withRetry(operation, {
      policy: options.policy,
      sleep: options.sleep ?? realSleep,
      classify,
      onRetry: ({ attempt, delayMs, error }) =>
        log.debug(`${what} failed (${errorMessage(error)}); attempt ${attempt + 1} in ${delayMs} ms`),
    });

  /** `data` parsed with `schema`; anything else is an unexpected answer. */
  function parsed<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new DestinationError(SUBJECT, `GitHub answered ${what} of ${repository} unexpectedly.`);
    }
    return result.data;
  }

  /** A failed read: 401/403/404 become an error about the state token. */
  function readFailure(error: unknown, what: string): DestinationError {
    if (error instanceof DestinationError) return error;
    const failure = httpFailure(error);
    if (failure && [401, 403, 404].includes(failure.status)) {
      return new DestinationError(
        'state-token',
        `Cannot read ${what} of ${repository} (HTTP ${failure.status}` +
          `${failure.message ? `: ${failure.message}` : ''}). ` +
          `The state-token input needs "actions: read" on the repository ${repository}.`,
      );
    }
    return new DestinationError(SUBJECT, `Reading ${what} of ${repository} failed: ${errorMessage(error)}.`);
  }

  /**
   * The artifacts of the configured name, newest first, a page at a time
   * (octokit's paginator; its plugins retry each page).
   */
  async function* listed(): AsyncGenerator<ListedArtifact> {
    const what = 'the state artifact list';
    const pages = octokit.paginate.iterator(LIST, { owner, repo, name: artifactName, per_page: 100 });
    let page = 0;
    try {
      for await (const { data } of pages) {
        yield* parsed(z.array(listedArtifactSchema), data, what).filter((a) => a.name === artifactName);
        if (++page >= MAX_PAGES) return;
      }
    } catch (error) {
      throw readFailure(error, what);
    }
  }

  /** The zip of an artifact, within the size cap: a 302 from the REST API to storage, as GitHub answers. */
  async function downloadOnce(artifact: ListedArtifact): Promise<Uint8Array> {
    const redirect = await fetchImpl(`${repoPath}/actions/artifacts/${artifact.id}/zip`, {
      headers,
      redirect: 'manual',
    });
    await redirect.body?.cancel();
    const location = redirect.headers.get('location');
    if (redirect.status !== 302 || !location) {
      throw new HttpFailure(redirect.status, redirect.headers, `no redirect to the archive`);
    }
    // The signed storage URL needs (and must not be sent) the token.
    const blob = await fetchImpl(location, { headers: { 'user-agent': headers['user-agent'] } });
    if (!blob.ok) {
      await blob.body?.cancel();
      throw new HttpFailure(blob.status, blob.headers, 'archive download failed');
    }
    return readCapped(blob, MAX_STATE_ARTIFACT_BYTES);
  }

  /** The state of a trusted artifact; throws UnreadableArtifact when its content is unusable. */
  async function read(artifact: ListedArtifact): Promise<RotationState> {
    const zip = await retried('Downloading the state', () => downloadOnce(artifact), classifyDownload);
    const text = Buffer.from(readZipEntry(zip, STATE_FILE, MAX_STATE_ARTIFACT_BYTES)).toString('utf8');
    const parsed = parseState(text);
    if (!parsed.ok) throw new UnreadableArtifact(`it is invalid: ${parsed.reason}`);
    return parsed.state;
  }

  /** Why this artifact may not be believed (asking GitHub about its run), or undefined. */
  async function distrust(artifact: ListedArtifact, search: Search): Promise<string | undefined> {
    const listedReason = listedDistrust(artifact);
    if (listedReason) return listedReason;
    const runId = artifact.workflow_run?.id as number;
    let run = search.runs.get(runId);
    if (!run) {
      const what = `workflow run ${runId}`;
      const data = await octokit.request(GET_RUN, { owner, repo, run_id: runId }).then(
        (response) => response.data,
        (error: unknown) => Promise.reject(readFailure(error, what)),
      );
      run = parsed(workflowRunSchema, data, what);
      search.runs.set(runId, run);
    }
    return runDistrust(run);
  }

  async function load(): Promise<LoadedState> {
    const search: Search = { skipped: [], expired: 0, runs: new Map() };
    const skip = (artifact: ListedArtifact, reason: string) => {
      const text = `state artifact ${artifact.id} (created ${artifact.created_at ?? 'at an unknown time'}): ${reason}`;
      if (artifact.expired) {
        search.expired++;
        log.info(`Skipped ${text}`);
      } else {
        search.skipped.push(text);
        log.warning(`Ignored ${text}`);
      }
    };
    let seen = 0;
    for await (const artifact of listed()) {
      seen++;
      if (!artifact.expired && search.runs.size >= MAX_RUN_LOOKUPS) {
        return {
          note: noteOf(
            search,
            `gave up after asking about ${MAX_RUN_LOOKUPS} runs; no trusted state artifact found`,
          ),
        };
      }
      const reason = await distrust(artifact, search);
      if (reason) {
        skip(artifact, reason);
        continue;
      }
      const label = `state artifact ${artifact.id} (run ${artifact.workflow_run?.id})`;
      try {
        const state = await read(artifact);
        log.debug(`Loaded ${label}: phase ${state.phase}`);
        const savedAt = artifact.created_at ? new Date(artifact.created_at) : undefined;
        const note = noteOf(search, undefined);
        return {
          state,
          ...(savedAt && !Number.isNaN(savedAt.getTime()) && { savedAt }),
          ...(note && { note }),
        };
      } catch (error) {
        if (error instanceof UnreadableArtifact) {
          skip(artifact, error.message);
          continue;
        }
        // Not an answer about the artifact (GitHub did not answer): an older state is no substitute.
        return { note: noteOf(search, `${label} could not be downloaded: ${errorMessage(error)}`) };
      }
    }
    return {
      note: noteOf(search, seen === 0 ? 'no state artifact found' : 'no trusted state artifact found'),
    };
  }

  /** This run's earlier state artifact deleted, if it may have one. */
  async function deleteEarlier(artifacts: ArtifactClient): Promise<void> {
    // Artifacts are immutable and a name is unique within a run: an earlier
    // save of this run (or of an earlier attempt) must go first.
    if (!mayExist) return;
    try {
      const { id } = await artifacts.deleteArtifact(artifactName);
      log.debug(`Deleted this run's earlier state artifact ${id}`);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ArtifactNotFoundError')) {
        throw saveFailure(`Could not replace this run's state artifact "${artifactName}"`, error);
      }
    }
  }

  /** One save: this run's earlier state artifact deleted, the new one uploaded from `dir`. */
  async function saveOnce(dir: string, document: RotationState): Promise<{ artifactId: number }> {
    const file = join(dir, STATE_FILE);
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    const artifacts = await artifactClient();
    await deleteEarlier(artifacts);
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
      throw new DestinationError(SUBJECT, `Saving the state artifact "${artifactName}" returned no id`);
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
    try {
      return await withDeadline('Saving the state artifact', 4 * timeoutMs, () => saveOnce(dir, document));
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      throw new DestinationError(SUBJECT, `${error.message}; GitHub's artifact service did not answer`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    load,

    async save(state: RotationState): Promise<{ artifactId: number }> {
      // Parsing drops any field the schema does not define: nothing else can reach the artifact.
      const document = stateSchema.parse(state);
      // @actions/artifact retries 5xx and 429 itself but gives up on the first
      // connection failure; a save is idempotent (delete, then upload), so repeat it.
      // A save that fails is safe: the escrow holds the secret and the next run resumes.
      return retried(
        'Saving the state',
        () => saveWithin(document),
        (error) => ({
          retry: error instanceof UnansweredSave,
        }),
      );
    },
  };
}
