// Time limits on GitHub calls. Without them a stalled answer waits Node's
// 300 s per attempt (about 30 minutes per call across retries) while the run
// holds its concurrency group. Marketing Cloud calls have their own (http.ts).
import { DEFAULT_ATTEMPT_TIMEOUT_MS } from '../retry.ts';

/** The default per-attempt limit, as for Marketing Cloud. */
export const DEFAULT_GITHUB_TIMEOUT_MS = DEFAULT_ATTEMPT_TIMEOUT_MS;

/** A call that did not finish in time; names what was waited for. */
export class TimedOut extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * A fetch whose every call (headers and body) is aborted after `timeoutMs`.
 * Octokit surfaces the abort as a network failure without a response, which
 * plugin-retry repeats (octokit.ts): 4 attempts with waits of 0.5, 2 and
 * 4.5 s, so a stalled server costs at most 4 × timeout + 7 s per call, about
 * 2 min 7 s with the 30 s default.
 */
export function fetchWithTimeout(timeoutMs: number, base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(input, { ...init, signal });
  };
}

/**
 * Settles with `operation`, or rejects with TimedOut after `ms`, for clients
 * that take no abort signal (@actions/artifact). The operation itself is left
 * running: its result is ignored, and the process exits without waiting for it.
 */
export function withDeadline<T>(what: string, ms: number, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([operation(), deadline]).finally(() => clearTimeout(timer));
}
