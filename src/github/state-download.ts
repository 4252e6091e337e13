// Reading one trusted state artifact, in two hops as GitHub serves it.
//
// 1. `GET …/actions/artifacts/{id}/zip` answers 302 with a signed storage URL
//    in `Location`, valid for about a minute. It goes through the state
//    store's Octokit, so the plugins retry it and each attempt is time-limited
//    like every other GitHub call (octokit.ts). With `request.redirect:
//    'manual'`, @octokit/request 10 hands `redirect` to fetch as is, and Node's
//    fetch (undici) then returns the 302 itself with its headers instead of
//    following it (a browser would give an opaque redirect); @octokit/request
//    throws only for 304 and 4xx/5xx, so the request resolves with status 302
//    and `headers.location`. Left to follow, it would buffer the whole body
//    with no cap.
// 2. The signed URL is fetched without the GitHub token (storage is another
//    host; the URL's signature is its credential), time-limited per attempt,
//    read up to the byte cap and unzipped bounded (artifact-zip.ts). Storage
//    is not GitHub's API and octokit's plugins do not cover it: a failure
//    there is retried here (retry.ts), each time with a fresh signed URL.
import type { Octokit } from 'octokit';
import { errorMessage } from '../errors.ts';
import { parseRetryAfter, type RetryDecision } from '../retry.ts';
import { parseState, type RotationState } from '../rotation/state.ts';
import { readCapped, readZipEntry, UnreadableArtifact } from './artifact-zip.ts';
import { httpFailure } from './http-failure.ts';
import { type Retried, STATE_FILE } from './state-common.ts';
import { type ListedArtifact, MAX_STATE_ARTIFACT_BYTES } from './state-provenance.ts';
import { fetchWithTimeout } from './timeout.ts';

const ARCHIVE = 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}';
const USER_AGENT = 'sfmc-secret-rotation';

export interface StateReaderOptions {
  /** The state store's Octokit (octokit.ts), with the state-token. */
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Limit of each storage attempt, headers and body. */
  timeoutMs: number;
  retried: Retried;
}

/** Storage did not hand the archive over; `decision` says whether another attempt can help. */
class StorageFailure extends Error {
  readonly decision: RetryDecision;
  constructor(message: string, decision: RetryDecision) {
    super(message);
    this.decision = decision;
  }
}

/** A failed Octokit call in words: its HTTP status and GitHub's message, or what went wrong. */
function failureText(error: unknown): string {
  const failure = httpFailure(error);
  if (!failure) return errorMessage(error);
  return `HTTP ${failure.status}${failure.message ? ` (${failure.message})` : ''}`;
}

/** Server errors and 429 (after Retry-After) are worth another attempt; other refusals are final. */
function storageRefusal(response: Response): StorageFailure {
  const { status } = response;
  const decision: RetryDecision =
    status >= 500 || status === 429
      ? { retry: true, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) }
      : { retry: false };
  return new StorageFailure(`storage answered HTTP ${status}`, decision);
}

/** Returns `read(artifact)`: the artifact's state; throws UnreadableArtifact when its content is unusable. */
export function createStateReader(options: StateReaderOptions) {
  const { octokit, owner, repo } = options;
  const storageFetch = fetchWithTimeout(options.timeoutMs);

  /** Hop 1: the signed storage URL of the artifact's zip. */
  async function archiveUrl(artifact: ListedArtifact): Promise<string> {
    const response = await octokit
      .request(ARCHIVE, {
        owner,
        repo,
        artifact_id: artifact.id,
        archive_format: 'zip',
        request: { redirect: 'manual' },
      })
      .catch((error: unknown) => {
        throw new Error(`GitHub gave no link to its archive: ${failureText(error)}`);
      });
    const location = response.headers.location;
    if (response.status !== 302 || !location) {
      throw new Error(`GitHub answered HTTP ${response.status} with no redirect to its archive`);
    }
    return location;
  }

  /** Hop 2: the zip, within the byte cap. */
  async function fromStorage(url: string): Promise<Uint8Array> {
    const response = await storageFetch(url, { headers: { 'user-agent': USER_AGENT } }).catch(
      (error: unknown) => {
        throw new StorageFailure(`storage did not answer (${errorMessage(error)})`, { retry: true });
      },
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw storageRefusal(response);
    }
    try {
      return await readCapped(response, MAX_STATE_ARTIFACT_BYTES);
    } catch (error) {
      if (error instanceof UnreadableArtifact) throw error;
      throw new StorageFailure(`the download broke off (${errorMessage(error)})`, { retry: true });
    }
  }

  return async function read(artifact: ListedArtifact): Promise<RotationState> {
    const zip = await options.retried(
      'Downloading the state',
      async () => fromStorage(await archiveUrl(artifact)),
      (error) => (error instanceof StorageFailure ? error.decision : { retry: false }),
    );
    const text = Buffer.from(await readZipEntry(zip, STATE_FILE, MAX_STATE_ARTIFACT_BYTES)).toString('utf8');
    const parsed = parseState(text);
    if (!parsed.ok) throw new UnreadableArtifact(`it is invalid: ${parsed.reason}`);
    return parsed.state;
  };
}
