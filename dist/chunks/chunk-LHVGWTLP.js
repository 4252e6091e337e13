import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/retry.ts
var realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
var DEFAULT_ATTEMPT_TIMEOUT_MS = 3e4;
var defaultRetryPolicy = {
  attempts: 6,
  baseMs: 500,
  maxMs: 15e3,
  maxRetryAfterMs: 36e4
};
function backoffMs(attempt, policy, random) {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}
async function withRetry(operation, options) {
  const policy = options.policy ?? defaultRetryPolicy;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry || attempt >= policy.attempts) throw error;
      if (decision.retryAfterMs !== void 0 && decision.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delayMs = Math.max(decision.retryAfterMs ?? 0, backoffMs(attempt, policy, random));
      options.onRetry?.({ attempt, delayMs, error });
      await options.sleep(delayMs);
    }
  }
}
function parseRetryAfter(value, now = Date.now()) {
  if (!value) return void 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1e3);
  const date = Date.parse(value);
  return Number.isNaN(date) ? void 0 : Math.max(0, date - now);
}

export {
  realSleep,
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  defaultRetryPolicy,
  withRetry,
  parseRetryAfter
};
