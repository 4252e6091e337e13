import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  httpFailure
} from "./chunk-CR33VQHH.js";
import {
  object,
  string
} from "./chunk-JOUJN4S6.js";
import {
  errorMessage
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/github/workflow-runs.ts
var GET_RUN = "GET /repos/{owner}/{repo}/actions/runs/{run_id}";
var ACTIVE = /* @__PURE__ */ new Set(["queued", "in_progress", "waiting", "pending", "requested"]);
var runSchema = object({ status: string().nullable() });
function createWorkflowRuns(options) {
  const { octokit, owner, repo, log } = options;
  return {
    async isActive(runId) {
      try {
        const response = await octokit.request(GET_RUN, { owner, repo, run_id: runId });
        const run = runSchema.safeParse(response.data);
        if (!run.success || run.data.status === null) {
          log.debug(`GitHub answered with an unexpected workflow run for run ${runId}`);
          return void 0;
        }
        return ACTIVE.has(run.data.status);
      } catch (error) {
        if (httpFailure(error)?.status === 404) return false;
        log.debug(`Reading workflow run ${runId} failed: ${errorMessage(error)}`);
        return void 0;
      }
    }
  };
}
export {
  createWorkflowRuns
};
