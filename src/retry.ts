// Retries with jittered exponential backoff and Retry-After, shared by the
// HTTP adapters. Sleep and randomness are injected so tests control time.

export type Sleep = (ms: number) => Promise<void>;

/** One retry an adapter is about to make, for the log; never holds a secret or a response body. */
export interface RetryInfo {
  route: string;
  attempt: number;
  delayMs: number;
  /** A status code, error code or network error code. */
  reason: string;
}

export type OnRetry = (info: RetryInfo) => void;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Longest Retry-After the caller is willing to honour; a longer one fails at once. */
  maxRetryAfterMs: number;
}

/** The default limit of one attempt of a call to GitHub or Marketing Cloud. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 6,
  baseMs: 500,
  maxMs: 15_000,
  maxRetryAfterMs: 360_000,
};

/** What a failed attempt means for the next one. */
export type RetryDecision = { retry: false } | { retry: true; retryAfterMs?: number };

export interface RetryOptions {
  policy?: RetryPolicy;
  sleep: Sleep;
  random?: () => number;
  /** Decide from the thrown error whether to try again. */
  classify: (error: unknown) => RetryDecision;
  /** Called before each wait, for logging and counting. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Full-jitter backoff: a random delay up to base * 2^attempt, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry || attempt >= policy.attempts) throw error;
      if (decision.retryAfterMs !== undefined && decision.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delayMs = Math.max(decision.retryAfterMs ?? 0, backoffMs(attempt, policy, random));
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs);
    }
  }
}

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
