// HTTP plumbing shared by the token and management clients: one attempt with
// a timeout, classification of retryable failures, the retry loop, and
// parsing that never echoes response text (it may hold a secret).
import * as z from 'zod';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  defaultRetryPolicy,
  type OnRetry,
  parseRetryAfter,
  type RetryPolicy,
  type Sleep,
  withRetry,
} from '../retry.ts';

/** What both clients take to talk HTTP; everything but `sleep` has a default. */
export interface HttpOptions {
  fetch?: typeof fetch;
  sleep: Sleep;
  random?: () => number;
  now?: () => number;
  policy?: RetryPolicy;
  onRetry?: OnRetry;
  /** Per-attempt timeout; a timed-out attempt counts as a network failure. */
  timeoutMs?: number;
}

export interface Http {
  fetch: typeof fetch;
  sleep: Sleep;
  random: () => number;
  now: () => number;
  policy: RetryPolicy;
  onRetry?: OnRetry;
  timeoutMs: number;
}

export function resolveHttp(options: HttpOptions): Http {
  return {
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    policy: options.policy ?? defaultRetryPolicy,
    onRetry: options.onRetry,
    timeoutMs: options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

/** Network failures no retry can cure, with what they mean. */
const hopelessReasons: Record<string, string> = {
  ENOTFOUND: 'ENOTFOUND: the host name does not exist',
  'bad port': 'fetch refuses to connect to that port',
};

/** A failure worth another attempt: 429, 5xx, or no answer at all. */
export class TransientFailure extends Error {
  /** The HTTP status; undefined when no answer came back (DNS, refused, reset, timeout). */
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The attempt that failed, counted from 1. */
  readonly attempt: number;
  constructor(reason: string, attempt: number, status?: number, retryAfterMs?: number) {
    super(reason);
    this.name = 'TransientFailure';
    this.attempt = attempt;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  get network(): boolean {
    return this.status === undefined;
  }

  /** No answer came back, and none ever will: retrying only delays the error. */
  get hopeless(): boolean {
    return this.network && Object.hasOwn(hopelessReasons, this.message);
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  // undici rejects the Fetch standard's blocked ports (1, 7, 9, ...) without a code.
  if (cause?.message === 'bad port') return 'bad port';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  return 'network error';
}

/**
 * One request. Resolves with any HTTP answer; throws a TransientFailure when
 * none came back. Redirects are not followed: a body carrying a secret must
 * never be resent to another location.
 */
export async function sendOnce(http: Http, url: string, init: RequestInit, attempt: number): Promise<Reply> {
  try {
    const response = await http.fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(http.timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    // Only the error code is kept: a message could name more than we want to show.
    throw new TransientFailure(networkReason(error), attempt);
  }
}

/** The errorcode and retryAfter of Marketing Cloud's REST error envelope, when a reply carries them. */
const throttleSchema = z.object({
  errorcode: z.number().int().optional(),
  retryAfter: z.number().nonnegative().optional(),
});

/**
 * A TransientFailure for a 429 or 5xx answer. Marketing Cloud throttles with
 * 429 and errorcode 50100 plus `Retry-After` (honoured; the body's
 * `retryAfter` stands in when the header is missing), or errorcode 50200
 * without it (the retry loop's bounded, jittered exponential backoff):
 * https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/rate-limiting-errors.htm
 */
export function transientStatus(http: Http, reply: Reply, attempt: number): TransientFailure | undefined {
  if (reply.status !== 429 && reply.status < 500) return undefined;
  const parsed = throttleSchema.safeParse(parseJson(reply.text));
  const envelope = parsed.success ? parsed.data : {};
  const header = parseRetryAfter(reply.headers.get('retry-after'), http.now());
  const retryAfterMs = header ?? (envelope.retryAfter === undefined ? undefined : envelope.retryAfter * 1000);
  const code = envelope.errorcode === undefined ? '' : ` errorcode ${envelope.errorcode}`;
  return new TransientFailure(`status ${reply.status}${code}`, attempt, reply.status, retryAfterMs);
}

/**
 * Runs `operation` until it returns, retrying each TransientFailure it throws
 * (with backoff and Retry-After) and passing anything else through. When
 * retries run out, `exhausted` turns the last failure into the error to throw.
 */
export async function retrying<T>(
  http: Http,
  route: string,
  operation: (attempt: number, previous: TransientFailure | undefined) => Promise<T>,
  exhausted: (failure: TransientFailure) => Error,
): Promise<T> {
  let previous: TransientFailure | undefined;
  try {
    return await withRetry((attempt) => operation(attempt, previous), {
      policy: http.policy,
      sleep: http.sleep,
      random: http.random,
      classify: (error) => {
        if (!(error instanceof TransientFailure) || error.hopeless) return { retry: false };
        previous = error;
        return { retry: true, retryAfterMs: error.retryAfterMs };
      },
      onRetry: ({ attempt, delayMs, error }) =>
        http.onRetry?.({ route, attempt, delayMs, reason: (error as TransientFailure).message }),
    });
  } catch (error) {
    throw error instanceof TransientFailure ? exhausted(error) : error;
  }
}

/** Why the retries stopped, in words, for the caller's error message. */
export function exhaustedReason(failure: TransientFailure, policy: RetryPolicy): string {
  if (failure.hopeless) return hopelessReasons[failure.message] ?? failure.message;
  const waitMs = failure.retryAfterMs ?? 0;
  if (waitMs > policy.maxRetryAfterMs) {
    const seconds = (ms: number) => Math.ceil(ms / 1000);
    return `${failure.message} asking to wait ${seconds(waitMs)} s, longer than the ${seconds(policy.maxRetryAfterMs)} s this run allows`;
  }
  return `${failure.message} on all ${failure.attempt} attempts`;
}

/** What to do once a service kept answering 429 or 5xx. */
export function exhaustedAdvice(failure: TransientFailure): string {
  if (failure.status !== 429) return 'Try again later.';
  return (
    'Marketing Cloud is throttling API calls from this account (errorcode 50100: rate limit exceeded; 50200: ' +
    'requests temporarily blocked). Run again later, and look for other jobs calling Marketing Cloud with this package.'
  );
}

/** JSON.parse that never throws (its messages quote the input, which may hold a secret). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Zod issues as paths and expectations only; received values are never shown. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.join('.') || '(root)';
      return issue.code === 'invalid_type' ? `${path}: expected ${issue.expected}` : `${path}: ${issue.code}`;
    })
    .join('; ');
}
