// The engine's ReminderPort over GitHub Issues: one open issue per client id,
// found again on later runs by its label and a hidden marker in its body, so
// reruns update it instead of opening another.
import type { Octokit } from 'octokit';
import * as z from 'zod';
import { DestinationError } from '../errors.ts';
import { quotable } from '../redact.ts';
import type { ReminderPort } from '../rotation/ports.ts';
import { type FailureKind, failureKind, retriedFailure } from './http-failure.ts';

export const REMINDER_LABEL = 'sfmc-secret-rotation';

export interface ReminderIssuesOptions {
  /** From createGitHubClient (octokit.ts): its plugins retry and wait out rate limits. */
  octokit: Octokit;
  owner: string;
  repo: string;
  clientId: string;
}

const SUBJECT = 'reminder-issue';

const LIST = 'GET /repos/{owner}/{repo}/issues';
const CREATE = 'POST /repos/{owner}/{repo}/issues';
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/{issue_number}';
const COMMENT = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';

const issueSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullish(),
  // The issues list also holds pull requests, which carry this field.
  pull_request: z.unknown().optional(),
});
type Issue = z.infer<typeof issueSchema>;

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error('GitHub answered with an unexpected issue');
  return result.data;
}

/** A DestinationError naming what failed and what to do; issue texts hold no secret. */
function explain(repository: string, action: string, error: unknown): DestinationError {
  return new DestinationError(
    SUBJECT,
    reminderFailure(failureKind(error), `while ${action} in ${repository}`, repository),
  );
}

/** The reminder issue's words for a failed call `where` ("while … in owner/repo"). */
function reminderFailure(failed: FailureKind, where: string, repository: string): string {
  switch (failed.kind) {
    case 'unreachable':
      return `Could not reach GitHub ${where} (${failed.detail}); check the network and GITHUB_API_URL, then rerun.`;
    case 'broken':
      return `The reminder issue failed ${where}: ${failed.detail}`;
    case 'unauthorized':
      return `GitHub answered 401 ${where}: the github-token is invalid or expired; pass a valid token.`;
    case 'retried':
      return `GitHub still failed after retries ${where} (${failed.why}); rerun the workflow later.`;
    case 'denied':
      return (
        `GitHub answered ${failed.status} ${where}: the github-token needs the repository permission ` +
        `"Issues: write" (GitHub App: \`issues: write\`) on ${repository}, or turn reminder-issue off.`
      );
    case 'answered':
      return `GitHub answered ${failed.status} ${where}${failed.message ? `: ${quotable(failed.message, [])}` : ''}`;
  }
}

export function createReminderIssues(options: ReminderIssuesOptions): ReminderPort {
  const { octokit, owner, repo } = options;
  const repository = `${owner}/${repo}`;
  const marker = `<!-- sfmc-secret-rotation client=${options.clientId} -->`;
  const withMarker = (body: string): string => `${body}\n\n${marker}`;

  async function call(route: string, params: Record<string, unknown>): Promise<unknown> {
    return (await octokit.request(route, { owner, repo, ...params })).data;
  }

  /** This client's open reminder issues, newest first (normally one). */
  async function openIssues(): Promise<Issue[]> {
    const data = await octokit.paginate(LIST, {
      owner,
      repo,
      state: 'open',
      labels: REMINDER_LABEL,
      per_page: 100,
    });
    const issues = parse(z.array(issueSchema), data);
    return issues.filter((i) => i.pull_request === undefined && i.body?.includes(marker));
  }

  async function post(title: string, body: string, retries?: number): Promise<Issue> {
    const data = await call(CREATE, {
      title,
      body: withMarker(body),
      labels: [REMINDER_LABEL],
      ...(retries !== undefined && { request: { retries } }),
    });
    return parse(issueSchema, data);
  }

  /**
   * A POST that failed may still have created the issue, so the plugin does
   * not repeat it blindly: after a failure worth retrying, look, then post again.
   */
  async function create(title: string, body: string): Promise<Issue> {
    try {
      return await post(title, body, 0);
    } catch (error) {
      if (!retriedFailure(error)) throw error;
      const [earlier] = await openIssues();
      return earlier ?? (await post(title, body));
    }
  }

  /** Rewrites the issue's title and body; a rerun with the same text writes nothing. */
  async function update(issue: Issue, title: string, body: string): Promise<Issue> {
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
        throw explain(repository, 'opening the reminder issue', error);
      }
    },

    async close(comment) {
      try {
        const issues = await openIssues();
        // Normally one; closing every match also clears a duplicate left by a race.
        for (const issue of issues) {
          await call(COMMENT, { issue_number: issue.number, body: comment });
          await call(UPDATE, { issue_number: issue.number, state: 'closed', state_reason: 'completed' });
        }
        const [newest] = issues;
        return newest && { number: newest.number };
      } catch (error) {
        throw explain(repository, 'closing the reminder issue', error);
      }
    },
  };
}
