import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  quotable
} from "./chunk-V7KSUL6B.js";
import {
  failureKind,
  retriedFailure
} from "./chunk-CR33VQHH.js";
import {
  array,
  number,
  object,
  string,
  unknown
} from "./chunk-JOUJN4S6.js";
import {
  DestinationError
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/github/reminder-issue.ts
var REMINDER_LABEL = "sfmc-secret-rotation";
var SUBJECT = "reminder-issue";
var LIST = "GET /repos/{owner}/{repo}/issues";
var CREATE = "POST /repos/{owner}/{repo}/issues";
var UPDATE = "PATCH /repos/{owner}/{repo}/issues/{issue_number}";
var COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
var issueSchema = object({
  number: number().int(),
  html_url: string(),
  title: string(),
  body: string().nullish(),
  // The issues list also holds pull requests, which carry this field.
  pull_request: unknown().optional()
});
function parse(schema, data) {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error("GitHub answered with an unexpected issue");
  return result.data;
}
function explain(repository, action, error) {
  return new DestinationError(
    SUBJECT,
    reminderFailure(failureKind(error), `while ${action} in ${repository}`, repository)
  );
}
function reminderFailure(failed, where, repository) {
  switch (failed.kind) {
    case "unreachable":
      return `Could not reach GitHub ${where} (${failed.detail}); check the network and GITHUB_API_URL, then rerun.`;
    case "broken":
      return `The reminder issue failed ${where}: ${failed.detail}`;
    case "unauthorized":
      return `GitHub answered 401 ${where}: the github-token is invalid or expired; pass a valid token.`;
    case "retried":
      return `GitHub still failed after retries ${where} (${failed.why}); rerun the workflow later.`;
    case "denied":
      return `GitHub answered ${failed.status} ${where}: the github-token needs the repository permission "Issues: write" (GitHub App: \`issues: write\`) on ${repository}, or turn reminder-issue off.`;
    case "answered":
      return `GitHub answered ${failed.status} ${where}${failed.message ? `: ${quotable(failed.message, [])}` : ""}`;
  }
}
function createReminderIssues(options) {
  const { octokit, owner, repo } = options;
  const repository = `${owner}/${repo}`;
  const marker = `<!-- sfmc-secret-rotation client=${options.clientId} -->`;
  const withMarker = (body) => `${body}

${marker}`;
  async function call(route, params) {
    return (await octokit.request(route, { owner, repo, ...params })).data;
  }
  async function openIssues() {
    const data = await octokit.paginate(LIST, {
      owner,
      repo,
      state: "open",
      labels: REMINDER_LABEL,
      per_page: 100
    });
    const issues = parse(array(issueSchema), data);
    return issues.filter((i) => i.pull_request === void 0 && i.body?.includes(marker));
  }
  async function post(title, body, retries) {
    const data = await call(CREATE, {
      title,
      body: withMarker(body),
      labels: [REMINDER_LABEL],
      ...retries !== void 0 && { request: { retries } }
    });
    return parse(issueSchema, data);
  }
  async function create(title, body) {
    try {
      return await post(title, body, 0);
    } catch (error) {
      if (!retriedFailure(error)) throw error;
      const [earlier] = await openIssues();
      return earlier ?? await post(title, body);
    }
  }
  async function update(issue, title, body) {
    if (issue.title === title && issue.body === withMarker(body)) return issue;
    const data = await call(UPDATE, { issue_number: issue.number, title, body: withMarker(body) });
    return parse(issueSchema, data);
  }
  return {
    async open(title, body) {
      try {
        const [existing] = await openIssues();
        const issue = existing ? await update(existing, title, body) : await create(title, body);
        return { number: issue.number, url: issue.html_url };
      } catch (error) {
        throw explain(repository, "opening the reminder issue", error);
      }
    },
    async close(comment) {
      try {
        const issues = await openIssues();
        for (const issue of issues) {
          await call(COMMENT, { issue_number: issue.number, body: comment });
          await call(UPDATE, { issue_number: issue.number, state: "closed", state_reason: "completed" });
        }
        const [newest] = issues;
        return newest && { number: newest.number };
      } catch (error) {
        throw explain(repository, "closing the reminder issue", error);
      }
    }
  };
}
export {
  REMINDER_LABEL,
  createReminderIssues
};
