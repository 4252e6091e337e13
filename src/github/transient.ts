// Which failed GitHub calls are worth repeating, and after how long:
// server errors, network failures and rate limits (GitHub's guidance at
// docs.github.com "Rate limits for the REST API").
import {
  type OnRetry,
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  type Sleep,
  withRetry,
} from '../retry.ts';

/** GitHub asks for at least a minute when a secondary limit names no time. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

interface HttpFailure {
  status: number;
  headers: Record<string, string | undefined>;
  message: string;
}

/** The HTTP answer carried by an octokit RequestError, or undefined (network failure, bug). */
export function httpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof Error) || !('response' in error)) return undefined;
  const response = error.response as { status?: unknown; headers?: unknown; data?: unknown } | undefined;
  if (typeof response?.status !== 'number') return undefined;
  const data = response.data as { message?: unknown } | undefined;
  return {
    status: response.status,
    headers: (response.headers ?? {}) as Record<string, string | undefined>,
    message: typeof data?.message === 'string' ? data.message : '',
  };
}

/** An octokit RequestError without a response: the request never got an answer. */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'HttpError' && !httpFailure(error) && 'request' in error;
}

export type GitHubRetryDecision = RetryDecision & { reason: string };

function rateLimitResetMs(failure: HttpFailure, now: number): number | undefined {
  if (failure.headers['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(failure.headers['x-ratelimit-reset']);
  return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) : undefined;
}

export function classifyGitHubError(error: unknown, now: number = Date.now()): GitHubRetryDecision {
  const failure = httpFailure(error);
  if (!failure) {
    return isNetworkFailure(error)
      ? { retry: true, reason: `network error (${(error as Error).message})` }
      : { retry: false, reason: 'not an HTTP failure' };
  }
  const retryAfterMs = parseRetryAfter(failure.headers['retry-after'], now);
  const resetMs = rateLimitResetMs(failure, now);
  const secondary = /secondary rate limit/i.test(failure.message);
  if (failure.status >= 500) return { retry: true, retryAfterMs, reason: `HTTP ${failure.status}` };
  if (failure.status !== 403 && failure.status !== 429) {
    return { retry: false, reason: `HTTP ${failure.status}` };
  }
  if (secondary) {
    return {
      retry: true,
      retryAfterMs: retryAfterMs ?? resetMs ?? SECONDARY_LIMIT_WAIT_MS,
      reason: `secondary rate limit (HTTP ${failure.status})`,
    };
  }
  if (retryAfterMs !== undefined || resetMs !== undefined || failure.status === 429) {
    return {
      retry: true,
      retryAfterMs: retryAfterMs ?? resetMs,
      reason: `rate limit (HTTP ${failure.status})`,
    };
  }
  return { retry: false, reason: `HTTP ${failure.status}` };
}

export interface GitHubRetryOptions {
  sleep: Sleep;
  random?: () => number;
  policy?: RetryPolicy;
  onRetry?: OnRetry;
}

/** Repeats one GitHub call on transient failures, reporting each retry under the route's name. */
export function retryGitHub<T>(
  route: string,
  operation: (attempt: number) => Promise<T>,
  options: GitHubRetryOptions,
): Promise<T> {
  return withRetry(operation, {
    policy: options.policy,
    sleep: options.sleep,
    random: options.random,
    classify: (error) => classifyGitHubError(error),
    onRetry: ({ attempt, delayMs, error }) =>
      options.onRetry?.({ route, attempt, delayMs, reason: classifyGitHubError(error).reason }),
  });
}
