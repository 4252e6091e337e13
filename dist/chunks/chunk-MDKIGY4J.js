import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS
} from "./chunk-LHVGWTLP.js";

// src/github/timeout.ts
var DEFAULT_GITHUB_TIMEOUT_MS = DEFAULT_ATTEMPT_TIMEOUT_MS;
var TimedOut = class extends Error {
  name = "TimeoutError";
};
function fetchWithTimeout(timeoutMs, base = fetch) {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(input, { ...init, signal });
  };
}
function withDeadline(what, ms, operation) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} did not finish within ${ms / 1e3} s`)), ms);
  });
  return Promise.race([operation(), deadline]).finally(() => clearTimeout(timer));
}

export {
  DEFAULT_GITHUB_TIMEOUT_MS,
  TimedOut,
  fetchWithTimeout,
  withDeadline
};
