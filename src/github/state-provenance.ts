// Which state artifacts a run may believe. Anyone who can open a pull request
// from a fork can make a workflow run of the repository upload an artifact of
// any name, so a name match proves nothing: the artifact must come from a run
// of this repository's own code (head repository = the repository) that no
// pull request triggered, and be small enough to be a state document.
import * as z from 'zod';

/** A state document is under 4 KB; anything over 1 MiB is not one, and is skipped unread. */
export const MAX_STATE_ARTIFACT_BYTES = 1024 * 1024;

/** Events whose runs may run, or be steered by, code from outside the repository (a fork's pull request). */
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/** One item of `GET /repos/{o}/{r}/actions/artifacts` (GitHub's OpenAPI `artifact`), as far as it is used. */
export const listedArtifactSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  size_in_bytes: z.number().int(),
  expired: z.boolean(),
  created_at: z.string().nullable(),
  workflow_run: z
    .object({
      id: z.number().int().optional(),
      repository_id: z.number().int().optional(),
      head_repository_id: z.number().int().optional(),
      head_branch: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export type ListedArtifact = z.infer<typeof listedArtifactSchema>;

/** `GET /repos/{o}/{r}/actions/runs/{id}` (OpenAPI `workflow-run`), as far as it is used. */
export const workflowRunSchema = z.object({
  id: z.number().int(),
  event: z.string(),
  path: z.string().optional(),
  repository: z.object({ id: z.number().int() }),
  head_repository: z.object({ id: z.number().int(), full_name: z.string() }).nullable().optional(),
});
export type WorkflowRunOrigin = z.infer<typeof workflowRunSchema>;

const MIB = MAX_STATE_ARTIFACT_BYTES / (1024 * 1024);

/** Why the list entry alone rules the artifact out, or undefined when its run must be asked. */
export function listedDistrust(artifact: ListedArtifact): string | undefined {
  if (artifact.expired) return 'it has expired';
  if (artifact.size_in_bytes > MAX_STATE_ARTIFACT_BYTES) {
    return `it is ${artifact.size_in_bytes} bytes, over the ${MIB} MiB cap for a state artifact (not read)`;
  }
  const run = artifact.workflow_run;
  if (run?.id === undefined || run.repository_id === undefined) return 'GitHub names no run that made it';
  if (run.head_repository_id !== run.repository_id) {
    return `run ${run.id} that made it ran code from another repository (a fork, head repository id ${run.head_repository_id ?? 'unknown'})`;
  }
  return undefined;
}

/** Why the run that made an artifact is not trusted to write state, or undefined when it is. */
export function runDistrust(run: WorkflowRunOrigin): string | undefined {
  if (PULL_REQUEST_EVENTS.has(run.event)) {
    return `run ${run.id} that made it was triggered by \`${run.event}\`, which a pull request controls`;
  }
  if (run.head_repository?.id !== run.repository.id) {
    return `run ${run.id} that made it ran code from ${run.head_repository?.full_name ?? 'an unknown repository'}, not this repository`;
  }
  return undefined;
}
