// Waits for a staged secret to become usable: sleeps until Marketing Cloud's
// usableAt, then polls the token endpoint with growing intervals until the
// secret is accepted or the deadline passes. No margin is slept before the
// first poll: a clock behind Marketing Cloud's costs one rejected poll and a
// 1 s retry, where a fixed margin would cost every run its length.
import { ActionError } from '../errors.ts';
import type { Sleep } from '../retry.ts';
import type { Clock, Log, TokenPort } from './ports.ts';

const PROGRESS_EVERY_MS = 30_000;
const POLL_FIRST_MS = 1_000;
const POLL_MAX_MS = 15_000;

export interface AwaitUsableDeps {
  tokens: TokenPort;
  clock: Clock;
  sleep: Sleep;
  log: Log;
}

/** Sleeps until `until`, logging progress at least every 30 seconds. */
async function sleepUntil(until: number, deps: AwaitUsableDeps, what: string): Promise<void> {
  for (let left = until - deps.clock.now(); left > 0; left = until - deps.clock.now()) {
    deps.log.info(`Waiting ${Math.ceil(left / 1000)} s more for ${what}.`);
    await deps.sleep(Math.min(left, PROGRESS_EVERY_MS));
  }
}

export async function awaitUsable(
  secret: string,
  usableAt: Date,
  deadline: number,
  deps: AwaitUsableDeps,
): Promise<void> {
  await sleepUntil(Math.min(usableAt.getTime(), deadline), deps, 'the staged secret to become usable');
  let interval = POLL_FIRST_MS;
  let lastProgress = deps.clock.now();
  for (let attempt = 1; ; attempt++) {
    const check = await deps.tokens.check(secret, { fresh: true });
    if (check.accepted) {
      deps.log.info(`The staged secret is accepted by the token endpoint (attempt ${attempt}).`);
      return;
    }
    const now = deps.clock.now();
    if (now + interval > deadline) {
      throw new ActionError(
        'max-wait-seconds',
        `The staged secret was still rejected by the token endpoint (${check.reason}) when max-wait-seconds ran out. ` +
          'Nothing was published or activated; run again later and the rotation resumes from the staged secret.',
      );
    }
    // Say so now if the next poll would leave the log silent for longer than the promise.
    if (now + interval - lastProgress > PROGRESS_EVERY_MS) {
      deps.log.info(`Still waiting: the token endpoint rejects the staged secret (${check.reason}).`);
      lastProgress = now;
    }
    await deps.sleep(interval);
    interval = Math.min(POLL_MAX_MS, Math.round(interval * 1.5));
  }
}
