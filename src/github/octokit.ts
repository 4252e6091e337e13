// The Octokit every GitHub adapter talks through. Retries are octokit's own
// plugins: plugin-retry repeats server errors, 429s and network failures
// (waits of 0.5, 2, 4.5 s), plugin-throttling waits out rate limits for as long as GitHub
// says (Retry-After, x-ratelimit-reset; a minute when a secondary limit names
// no time). Each attempt is time-limited by the fetch (timeout.ts).
import Bottleneck from 'bottleneck';
import { Octokit } from 'octokit';
import { errorMessage } from '../errors.ts';
import { defaultRetryPolicy } from '../retry.ts';
import { fetchWithTimeout } from './timeout.ts';

/** Repeats after a server error or network failure: 4 attempts, as plugin-retry's default. */
export const GITHUB_RETRIES = 3;
/** Rate-limit waits honoured per call. */
const RATE_LIMIT_RETRIES = 3;
/** Longest rate-limit wait honoured, as for Marketing Cloud; a longer one fails at once (GitHub's hourly reset is not worth a run). */
const MAX_RATE_LIMIT_WAIT_S = defaultRetryPolicy.maxRetryAfterMs / 1000;

/**
 * plugin-retry waits this × n² before its n-th retry; half its default, the
 * base of the Marketing Cloud retries (retry.ts). plugin-retry repeats a 429
 * too (its default), before the throttling plugin waits out a rate limit.
 */
const RETRY_BASE_MS = defaultRetryPolicy.baseMs;

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL */
  baseUrl: string;
  /** Limit of each attempt. */
  timeoutMs: number;
  /** Failed attempts and rate-limit waits are logged here. */
  log: { info(m: string): void };
  /** Milliseconds per second of the plugins' waits: 1000; tests pass 1 so a wait of 60 s takes 60 ms. */
  msPerSecond?: number;
  /** The underlying fetch; tests pass one that fails in chosen ways. */
  fetch?: typeof fetch;
}

/** A fetch that logs every attempt GitHub answered with a server error or never answered. */
function loggingFetch(base: typeof fetch, log: GitHubClientOptions['log']): typeof fetch {
  return async (input, init) => {
    const what = `${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : input).pathname}`;
    try {
      const response = await base(input, init);
      if (response.status >= 500) log.info(`GitHub answered ${response.status} to ${what}`);
      return response;
    } catch (error) {
      log.info(`GitHub did not answer ${what}: ${errorMessage(error)}`);
      throw error;
    }
  };
}

export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const { log } = options;
  const msPerSecond = options.msPerSecond ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const route = `${request.method} ${request.url}`;
      if (retryCount >= RATE_LIMIT_RETRIES || retryAfter > MAX_RATE_LIMIT_WAIT_S) {
        log.info(`GitHub's ${kind} stopped ${route}; it asks for a wait of ${retryAfter} s, not waiting`);
        return false;
      }
      log.info(`GitHub's ${kind} stopped ${route}; waiting ${retryAfter} s as it asks`);
      return true;
    };
  // Without the plugin's one-at-a-time writes spaced by 1 s (3 s for issues): the adapters bound
  // their own parallelism (secrets-client.ts), a run makes about a dozen writes, not the "large
  // number" GitHub's advice is about (docs.github.com "Best practices for using the REST API"),
  // and a rate-limit answer is waited out all the same.
  const unspaced = () => new Bottleneck.Group();
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'sfmc-secret-rotation',
    retry: { retries: GITHUB_RETRIES, retryAfterBaseValue: (RETRY_BASE_MS * msPerSecond) / 1000 },
    throttle: {
      retryAfterBaseValue: msPerSecond,
      write: unspaced(),
      notifications: unspaced(),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
    request: { fetch: fetchWithTimeout(options.timeoutMs, loggingFetch(options.fetch ?? fetch, log)) },
  });
}
