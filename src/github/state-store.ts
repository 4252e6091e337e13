// The engine's StateStore over workflow artifacts: the newest unexpired
// artifact of the configured name, across runs, holds state.json. Artifacts
// are readable by anyone with read access, so only the state document (which
// holds no secret) is ever written.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClient } from '@actions/artifact';
import { z } from 'zod';
import { DestinationError } from '../errors.ts';
import { type RetryOptions, type RetryPolicy, realSleep, type Sleep, withRetry } from '../retry.ts';
import type { LoadedState, StateStore } from '../rotation/ports.ts';
import { parseState, type RotationState, stateSchema } from '../rotation/state.ts';
import { classifyGitHubError } from './transient.ts';

export interface ArtifactStateStoreOptions {
  /** e.g. sfmc-rotation-<clientId> */
  artifactName: string;
  retentionDays: number;
  /** The current repository. */
  owner: string;
  repo: string;
  runId: number;
  /** GITHUB_API_URL */
  apiUrl: string;
  /** Token with actions:read, for reading earlier runs' artifacts. */
  stateToken: string;
  /** @actions/artifact's client (main.ts passes `new DefaultArtifactClient()`). */
  artifactClient: ArtifactClient;
  /** For the REST list call. */
  fetch?: typeof fetch;
  /** A private temporary directory for upload/download files. */
  workDir: string;
  log: { debug(m: string): void; warning(m: string): void };
  /** Waits between retries of the list call; tests pass a fake. */
  sleep?: Sleep;
  policy?: RetryPolicy;
}

export const STATE_FILE = 'state.json';
/** The subject of errors that are not about the token. */
const SUBJECT = 'state artifact';

const listSchema = z.object({
  artifacts: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      expired: z.boolean(),
      created_at: z.string().nullable(),
      workflow_run: z.object({ id: z.number().int().optional() }).nullable().optional(),
    }),
  ),
});
type ListedArtifact = z.infer<typeof listSchema>['artifacts'][number];

/** A non-2xx answer, shaped like octokit's RequestError so the shared classifier reads it. */
class ListFailure extends Error {
  readonly response: { status: number; headers: Record<string, string>; data: unknown };
  constructor(status: number, headers: Headers, data: unknown) {
    super(`HTTP ${status}`);
    this.response = { status, headers: Object.fromEntries(headers), data };
  }
}

const GITHUB_MESSAGE = z.object({ message: z.string() });

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

const createdAt = (a: ListedArtifact): number => (a.created_at ? Date.parse(a.created_at) || 0 : 0);
const newestFirst = (a: ListedArtifact, b: ListedArtifact): number =>
  createdAt(b) - createdAt(a) || b.id - a.id;

export function createArtifactStateStore(options: ArtifactStateStoreOptions): StateStore {
  const { artifactName, owner, repo, artifactClient, log } = options;
  const fetchImpl = options.fetch ?? fetch;
  const repository = `${owner}/${repo}`;

  /** Repeats `operation` while `classify` says so, logging each failure under `what`. */
  const retried = <T>(what: string, operation: () => Promise<T>, classify: RetryOptions['classify']) =>
    withRetry(operation, {
      policy: options.policy,
      sleep: options.sleep ?? realSleep,
      classify,
      onRetry: ({ attempt, delayMs, error }) =>
        log.debug(`${what} failed (${errorMessage(error)}); attempt ${attempt + 1} in ${delayMs} ms`),
    });

  async function listOnce(): Promise<ListedArtifact[]> {
    const url = new URL(
      `${options.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/artifacts`,
    );
    url.searchParams.set('name', artifactName);
    url.searchParams.set('per_page', '100');
    const response = await fetchImpl(url, {
      headers: {
        authorization: `Bearer ${options.stateToken}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'sfmc-secret-rotation',
      },
    });
    const text = await response.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
    if (!response.ok) throw new ListFailure(response.status, response.headers, data);
    const parsed = listSchema.safeParse(data);
    if (!parsed.success) {
      throw new DestinationError(SUBJECT, `GitHub answered the artifact list of ${repository} unexpectedly.`);
    }
    return parsed.data.artifacts;
  }

  async function list(): Promise<ListedArtifact[]> {
    try {
      return await retried('Listing state artifacts', listOnce, (error) =>
        // A fetch that throws (not a ListFailure) never got an answer: worth another try.
        error instanceof ListFailure
          ? classifyGitHubError(error)
          : error instanceof DestinationError
            ? { retry: false }
            : { retry: true },
      );
    } catch (error) {
      if (error instanceof DestinationError) throw error;
      if (error instanceof ListFailure && [401, 403, 404].includes(error.response.status)) {
        const github = GITHUB_MESSAGE.safeParse(error.response.data);
        throw new DestinationError(
          'state-token',
          `Cannot list the state artifacts of ${repository} (HTTP ${error.response.status}` +
            `${github.success ? `: ${github.data.message}` : ''}). ` +
            `The state-token input needs "actions: read" on the repository ${repository}.`,
        );
      }
      throw new DestinationError(
        SUBJECT,
        `Listing the state artifacts of ${repository} failed: ${errorMessage(error)}.`,
      );
    }
  }

  /** Download one artifact into a fresh directory and read state.json from it. */
  async function read(artifact: ListedArtifact, runId: number): Promise<LoadedState> {
    const label = `state artifact ${artifact.id} (run ${runId})`;
    const dir = await mkdtemp(join(options.workDir, 'state-load-'));
    try {
      try {
        // @actions/artifact asks for the download URL without retrying: a single 5xx,
        // rate limit or reset there would lose the state, so repeat it.
        await retried(
          'Downloading the state',
          () =>
            artifactClient.downloadArtifact(artifact.id, {
              path: dir,
              findBy: {
                token: options.stateToken,
                workflowRunId: runId,
                repositoryOwner: owner,
                repositoryName: repo,
              },
            }),
          (error) => classifyGitHubError(error),
        );
      } catch (error) {
        return { note: `${label} could not be downloaded: ${errorMessage(error)}` };
      }
      let text: string;
      try {
        text = await readFile(join(dir, STATE_FILE), 'utf8');
      } catch {
        return { note: `${label} holds no readable ${STATE_FILE}` };
      }
      const parsed = parseState(text);
      if (!parsed.ok) return { note: `${label} is invalid: ${parsed.reason}` };
      log.debug(`Loaded ${label}: phase ${parsed.state.phase}`);
      return { state: parsed.state };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** One save: this run's earlier state artifact deleted, the new one uploaded. */
  async function saveOnce(document: RotationState): Promise<{ artifactId: number }> {
    const dir = await mkdtemp(join(options.workDir, 'state-save-'));
    try {
      const file = join(dir, STATE_FILE);
      await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
      // Artifacts are immutable and a name is unique within a run: an earlier
      // save of this run (or of an earlier attempt) must go first.
      try {
        const { id } = await artifactClient.deleteArtifact(artifactName);
        log.debug(`Deleted this run's earlier state artifact ${id}`);
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ArtifactNotFoundError')) {
          throw saveFailure(`Could not replace this run's state artifact "${artifactName}"`, error);
        }
      }
      let id: number | undefined;
      try {
        ({ id } = await artifactClient.uploadArtifact(artifactName, [file], dir, {
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    async load(): Promise<LoadedState> {
      const found = (await list()).filter((a) => a.name === artifactName).sort(newestFirst);
      if (found.length === 0) return { note: 'no state artifact found' };
      const live = found.find((a) => !a.expired);
      if (!live) {
        const newest = found[0] as ListedArtifact;
        return {
          note: `only expired state artifacts found (newest: ${newest.id}, created ${newest.created_at ?? 'at an unknown time'})`,
        };
      }
      return read(live, live.workflow_run?.id ?? options.runId);
    },

    async save(state: RotationState): Promise<{ artifactId: number }> {
      // Parsing drops any field the schema does not define: nothing else can reach the artifact.
      const document = stateSchema.parse(state);
      // @actions/artifact retries 5xx and 429 itself but gives up on the first
      // connection failure; a save is idempotent (delete, then upload), so repeat it.
      return retried(
        'Saving the state',
        () => saveOnce(document),
        (error) => ({ retry: error instanceof UnansweredSave }),
      );
    },
  };
}
