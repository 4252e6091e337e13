// Finding the state artifacts a run may believe: the artifacts of the
// configured name, newest first and a bounded number of pages, each judged by
// the rules of state-provenance.ts (asking GitHub about its run, at most
// MAX_RUN_LOOKUPS runs, each once). Every artifact passed over is recorded,
// for the log and the summary note.
import type { Octokit } from 'octokit';
import * as z from 'zod';
import { DestinationError, errorMessage } from '../errors.ts';
import { httpFailure } from './http-failure.ts';
import { STATE_SUBJECT } from './state-common.ts';
import {
  type ListedArtifact,
  listedArtifactSchema,
  listedDistrust,
  runDistrust,
  type WorkflowRunOrigin,
  workflowRunSchema,
} from './state-provenance.ts';

/** Pages of 100 artifacts looked at, newest first: a flood of planted artifacts cannot make the load unbounded. */
const MAX_PAGES = 5;
/** Runs asked about (one GET each) before the load gives up looking for a trusted artifact. */
const MAX_RUN_LOOKUPS = 10;
/** Skipped artifacts named one by one in the summary note (the log names all). */
const MAX_NOTED = 5;

const LIST = 'GET /repos/{owner}/{repo}/actions/artifacts';
const GET_RUN = 'GET /repos/{owner}/{repo}/actions/runs/{run_id}';

export interface CandidateOptions {
  /** From createGitHubClient (octokit.ts) with the state-token; its plugins retry each call. */
  octokit: Octokit;
  owner: string;
  repo: string;
  artifactName: string;
  log: { info(m: string): void; warning(m: string): void };
}

/** What a search met: artifacts passed over (for the log and the summary) and runs asked about. */
export interface Search {
  /** Artifacts listed. */
  seen: number;
  skipped: string[];
  expired: number;
  runs: Map<number, WorkflowRunOrigin>;
  /** The search stopped at MAX_RUN_LOOKUPS with candidates left. */
  gaveUp: boolean;
}

export function newSearch(): Search {
  return { seen: 0, skipped: [], expired: 0, runs: new Map(), gaveUp: false };
}

/** Records (and logs) an artifact passed over, with the reason. */
export function skip(search: Search, artifact: ListedArtifact, reason: string, log: CandidateOptions['log']) {
  const text = `state artifact ${artifact.id} (created ${artifact.created_at ?? 'at an unknown time'}): ${reason}`;
  if (artifact.expired) {
    search.expired++;
    log.info(`Skipped ${text}`);
  } else {
    search.skipped.push(text);
    log.warning(`Ignored ${text}`);
  }
}

/** The summary note: `found` (what the load ended with), then the artifacts passed over. */
export function noteOf(search: Search, found: string | undefined): string | undefined {
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

/** The note of a search that found no state to load. */
export function nothingFound(search: Search): string | undefined {
  if (search.gaveUp) {
    return noteOf(
      search,
      `gave up after asking about ${MAX_RUN_LOOKUPS} runs; no trusted state artifact found`,
    );
  }
  return noteOf(search, search.seen === 0 ? 'no state artifact found' : 'no trusted state artifact found');
}

/** Reads of the artifact list and of workflow runs, their answers checked and their failures explained. */
function createReads(options: CandidateOptions) {
  const { octokit, owner, repo } = options;
  const repository = `${owner}/${repo}`;

  /** `data` parsed with `schema`; anything else is an unexpected answer. */
  function parsed<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new DestinationError(STATE_SUBJECT, `GitHub answered ${what} of ${repository} unexpectedly.`);
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
    return new DestinationError(
      STATE_SUBJECT,
      `Reading ${what} of ${repository} failed: ${errorMessage(error)}.`,
    );
  }

  /** The artifacts of the configured name, newest first, a page at a time (octokit's paginator). */
  async function* listed(): AsyncGenerator<ListedArtifact> {
    const what = 'the state artifact list';
    const { artifactName } = options;
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

  async function run(runId: number): Promise<WorkflowRunOrigin> {
    const what = `workflow run ${runId}`;
    const data = await octokit.request(GET_RUN, { owner, repo, run_id: runId }).then(
      (response) => response.data,
      (error: unknown) => Promise.reject(readFailure(error, what)),
    );
    return parsed(workflowRunSchema, data, what);
  }

  return { listed, run };
}

/**
 * The artifacts a run may believe, newest first; every other one is recorded
 * in `search` as it is passed over. Stops (setting `gaveUp`) before asking
 * about more than MAX_RUN_LOOKUPS runs.
 */
export function createCandidates(options: CandidateOptions) {
  const reads = createReads(options);

  /** Why this artifact may not be believed (asking GitHub about its run once), or undefined. */
  async function distrust(artifact: ListedArtifact, search: Search): Promise<string | undefined> {
    const listedReason = listedDistrust(artifact);
    if (listedReason) return listedReason;
    const runId = artifact.workflow_run?.id as number;
    let run = search.runs.get(runId);
    if (!run) {
      run = await reads.run(runId);
      search.runs.set(runId, run);
    }
    return runDistrust(run);
  }

  return async function* trusted(search: Search): AsyncGenerator<ListedArtifact> {
    for await (const artifact of reads.listed()) {
      search.seen++;
      if (!artifact.expired && search.runs.size >= MAX_RUN_LOOKUPS) {
        search.gaveUp = true;
        return;
      }
      const reason = await distrust(artifact, search);
      if (reason) skip(search, artifact, reason, options.log);
      else yield artifact;
    }
  };
}
