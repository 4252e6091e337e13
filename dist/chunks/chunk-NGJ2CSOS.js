import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  defaultRetryPolicy,
  parseRetryAfter,
  withRetry
} from "./chunk-LHVGWTLP.js";
import {
  number,
  object
} from "./chunk-JOUJN4S6.js";

// src/marketing-cloud/http.ts
function resolveHttp(options) {
  return {
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    policy: options.policy ?? defaultRetryPolicy,
    onRetry: options.onRetry,
    timeoutMs: options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS
  };
}
var hopelessReasons = {
  ENOTFOUND: "ENOTFOUND: the host name does not exist",
  "bad port": "fetch refuses to connect to that port"
};
var TransientFailure = class extends Error {
  /** The HTTP status; undefined when no answer came back (DNS, refused, reset, timeout). */
  status;
  retryAfterMs;
  /** The attempt that failed, counted from 1. */
  attempt;
  constructor(reason, attempt, status, retryAfterMs) {
    super(reason);
    this.name = "TransientFailure";
    this.attempt = attempt;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
  get network() {
    return this.status === void 0;
  }
  /** No answer came back, and none ever will: retrying only delays the error. */
  get hopeless() {
    return this.network && Object.hasOwn(hopelessReasons, this.message);
  }
};
function networkReason(error) {
  const cause = error.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (cause?.message === "bad port") return "bad port";
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return "timeout";
  return "network error";
}
async function sendOnce(http, url, init, attempt) {
  try {
    const response = await http.fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(http.timeoutMs)
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    throw new TransientFailure(networkReason(error), attempt);
  }
}
var throttleSchema = object({
  errorcode: number().int().optional(),
  retryAfter: number().nonnegative().optional()
});
function transientStatus(http, reply, attempt) {
  if (reply.status !== 429 && reply.status < 500) return void 0;
  const parsed = throttleSchema.safeParse(parseJson(reply.text));
  const envelope = parsed.success ? parsed.data : {};
  const header = parseRetryAfter(reply.headers.get("retry-after"), http.now());
  const retryAfterMs = header ?? (envelope.retryAfter === void 0 ? void 0 : envelope.retryAfter * 1e3);
  const code = envelope.errorcode === void 0 ? "" : ` errorcode ${envelope.errorcode}`;
  return new TransientFailure(`status ${reply.status}${code}`, attempt, reply.status, retryAfterMs);
}
async function retrying(http, route, operation, exhausted) {
  let previous;
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
      onRetry: ({ attempt, delayMs, error }) => http.onRetry?.({ route, attempt, delayMs, reason: error.message })
    });
  } catch (error) {
    throw error instanceof TransientFailure ? exhausted(error) : error;
  }
}
function exhaustedReason(failure, policy) {
  if (failure.hopeless) return hopelessReasons[failure.message] ?? failure.message;
  const waitMs = failure.retryAfterMs ?? 0;
  if (waitMs > policy.maxRetryAfterMs) {
    const seconds = (ms) => Math.ceil(ms / 1e3);
    return `${failure.message} asking to wait ${seconds(waitMs)} s, longer than the ${seconds(policy.maxRetryAfterMs)} s this run allows`;
  }
  return `${failure.message} on all ${failure.attempt} attempts`;
}
function exhaustedAdvice(failure) {
  if (failure.status !== 429) return "Try again later.";
  return "Marketing Cloud is throttling API calls from this account (errorcode 50100: rate limit exceeded; 50200: requests temporarily blocked). Run again later, and look for other jobs calling Marketing Cloud with this package.";
}
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return void 0;
  }
}
function describeIssues(error) {
  return error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.join(".") || "(root)";
    return issue.code === "invalid_type" ? `${path}: expected ${issue.expected}` : `${path}: ${issue.code}`;
  }).join("; ");
}

export {
  resolveHttp,
  sendOnce,
  transientStatus,
  retrying,
  exhaustedReason,
  exhaustedAdvice,
  parseJson,
  describeIssues
};
