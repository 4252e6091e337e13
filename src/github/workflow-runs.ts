// The engine's WorkflowRunsPort over GitHub's workflow runs API: is the run
// that staged a secret still at work? Asked with the state-token, which reads
// the repository's Actions (`actions: read`) for the state artifact anyway.
import type { Octokit } from 'octokit';
import * as z from 'zod';
import { errorMessage } from '../errors.ts';
import type { Log, WorkflowRunsPort } from '../rotation/ports.ts';
import { httpFailure } from './http-failure.ts';

export interface WorkflowRunsOptions {
  /** From createGitHubClient (octokit.ts) with the state-token; its plugins retry. */
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Why a run's status could not be read: the port itself only says "could not tell". */
  log: Pick<Log, 'debug'>;
}

const GET_RUN = 'GET /repos/{owner}/{repo}/actions/runs/{run_id}';

/** Statuses of a run that has not finished (GitHub's `status` values other than `completed`). */
const ACTIVE = new Set(['queued', 'in_progress', 'waiting', 'pending', 'requested']);

const runSchema = z.object({ status: z.string().nullable() });

export function createWorkflowRuns(options: WorkflowRunsOptions): WorkflowRunsPort {
  const { octokit, owner, repo, log } = options;
  return {
    async isActive(runId) {
      try {
        const response = await octokit.request(GET_RUN, { owner, repo, run_id: runId });
        const run = runSchema.safeParse(response.data);
        if (!run.success || run.data.status === null) {
          log.debug(`GitHub answered with an unexpected workflow run for run ${runId}`);
          return undefined;
        }
        return ACTIVE.has(run.data.status);
      } catch (error) {
        // GitHub deletes old runs; one that is gone is not at work.
        if (httpFailure(error)?.status === 404) return false;
        log.debug(`Reading workflow run ${runId} failed: ${errorMessage(error)}`);
        return undefined;
      }
    },
  };
}
