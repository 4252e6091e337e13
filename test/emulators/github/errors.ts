// GitHub's error bodies, so clients see exactly what api.github.com sends.
import { HttpError, type Reply } from '../common/server.ts';

const DOCS = 'https://docs.github.com/rest';

export function githubError(status: number, message: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

export const badCredentials = (): HttpError => new HttpError(githubError(401, 'Bad credentials'));

/** GitHub answers 404 both for what does not exist and for what the token may not see. */
export const notFound = (): HttpError => new HttpError(githubError(404, 'Not Found'));

export const notAccessible = (): HttpError =>
  new HttpError(githubError(403, 'Resource not accessible by integration'));

export const unprocessable = (message: string): HttpError => new HttpError(githubError(422, message));

export const conflict = (message: string): HttpError => new HttpError(githubError(409, message));

export function secondaryRateLimitBody(status: 403 | 429): Record<string, unknown> {
  return {
    message:
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
      'If you reach out to GitHub Support for help, please include the request ID.',
    documentation_url:
      'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    status: String(status),
  };
}
