import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  errorMessage
} from "./chunk-IBD4EVJW.js";

// src/github/http-failure.ts
function httpFailure(error) {
  if (!(error instanceof Error) || !("response" in error)) return void 0;
  const response = error.response;
  if (typeof response?.status !== "number") return void 0;
  const data = response.data;
  return {
    status: response.status,
    headers: response.headers ?? {},
    message: typeof data?.message === "string" ? data.message : ""
  };
}
function isNetworkFailure(error) {
  return error instanceof Error && error.name === "HttpError" && !httpFailure(error) && "request" in error;
}
function retriedFailure(error) {
  const failure = httpFailure(error);
  if (!failure) return isNetworkFailure(error) ? `network error (${error.message})` : void 0;
  if (failure.status >= 500) return `HTTP ${failure.status}`;
  if (failure.status !== 403 && failure.status !== 429) return void 0;
  if (/secondary rate limit/i.test(failure.message)) return `secondary rate limit (HTTP ${failure.status})`;
  if (failure.headers["x-ratelimit-remaining"] === "0" || failure.status === 429) {
    return `rate limit (HTTP ${failure.status})`;
  }
  return void 0;
}
function failureKind(error) {
  const failure = httpFailure(error);
  if (!failure) {
    const detail = errorMessage(error);
    return isNetworkFailure(error) ? { kind: "unreachable", detail } : { kind: "broken", detail };
  }
  if (failure.status === 401) return { kind: "unauthorized" };
  const why = retriedFailure(error);
  if (why) return { kind: "retried", why, message: failure.message };
  if (failure.status === 403 || failure.status === 404) return { kind: "denied", status: failure.status };
  return { kind: "answered", status: failure.status, message: failure.message };
}

export {
  httpFailure,
  retriedFailure,
  failureKind
};
