// What the parts of the state store share: the subject of their errors, and
// the retry of the calls octokit's plugins do not make (the storage download,
// the artifact service's save).
import { errorMessage } from '../errors.ts';
import { type RetryOptions, type RetryPolicy, realSleep, type Sleep, withRetry } from '../retry.ts';

/** The subject of errors that are not about the token. */
export const STATE_SUBJECT = 'state artifact';
/** The one file of a state artifact. */
export const STATE_FILE = 'state.json';

export interface StateRetryOptions {
  log: { debug(m: string): void };
  /** Waits between retries; tests pass a fake. */
  sleep?: Sleep;
  policy?: RetryPolicy;
}

/** Repeats `operation` while `classify` says so, logging each failure under `what`. */
export type Retried = <T>(
  what: string,
  operation: () => Promise<T>,
  classify: RetryOptions['classify'],
) => Promise<T>;

export function stateRetry(options: StateRetryOptions): Retried {
  return (what, operation, classify) =>
    withRetry(operation, {
      policy: options.policy,
      sleep: options.sleep ?? realSleep,
      classify,
      onRetry: ({ attempt, delayMs, error }) =>
        options.log.debug(`${what} failed (${errorMessage(error)}); attempt ${attempt + 1} in ${delayMs} ms`),
    });
}
