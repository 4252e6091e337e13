// Reads a failed Octokit call (a RequestError) for messages and decisions:
// the HTTP answer if there was one, and whether octokit's plugins had
// retried it before giving up (see octokit.ts).
import { errorMessage } from '../errors.ts';

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

/**
 * Why a call failed that the plugins retry or wait out (server error, network
 * failure, rate limit), or undefined for an answer that retrying cannot change.
 * Rate limits are told as GitHub documents them (docs.github.com "Rate limits
 * for the REST API"): 403 or 429 with `x-ratelimit-remaining: 0`, or a message
 * naming a secondary rate limit.
 */
export function retriedFailure(error: unknown): string | undefined {
  const failure = httpFailure(error);
  if (!failure) return isNetworkFailure(error) ? `network error (${(error as Error).message})` : undefined;
  if (failure.status >= 500) return `HTTP ${failure.status}`;
  if (failure.status !== 403 && failure.status !== 429) return undefined;
  if (/secondary rate limit/i.test(failure.message)) return `secondary rate limit (HTTP ${failure.status})`;
  if (failure.headers['x-ratelimit-remaining'] === '0' || failure.status === 429) {
    return `rate limit (HTTP ${failure.status})`;
  }
  return undefined;
}

/** What a failed GitHub call comes to, in the order the messages weigh it. */
export type FailureKind =
  /** No answer; `detail` is the error's own text. */
  | { kind: 'unreachable'; detail: string }
  /** Not a GitHub answer at all (a bug, a parse error). */
  | { kind: 'broken'; detail: string }
  | { kind: 'unauthorized' }
  /** The plugins retried or waited it out and gave up. */
  | { kind: 'retried'; why: string; message: string }
  /** 403 or 404 that is not a rate limit: a missing permission, or nothing there. */
  | { kind: 'denied'; status: 403 | 404 }
  | { kind: 'answered'; status: number; message: string };

/** The one reading of a failed call that every GitHub adapter words for its own place. */
export function failureKind(error: unknown): FailureKind {
  const failure = httpFailure(error);
  if (!failure) {
    const detail = errorMessage(error);
    return isNetworkFailure(error) ? { kind: 'unreachable', detail } : { kind: 'broken', detail };
  }
  if (failure.status === 401) return { kind: 'unauthorized' };
  const why = retriedFailure(error);
  if (why) return { kind: 'retried', why, message: failure.message };
  if (failure.status === 403 || failure.status === 404) return { kind: 'denied', status: failure.status };
  return { kind: 'answered', status: failure.status, message: failure.message };
}
