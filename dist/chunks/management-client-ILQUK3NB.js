import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  describeIssues,
  exhaustedAdvice,
  exhaustedReason,
  parseJson,
  resolveHttp,
  retrying,
  sendOnce,
  transientStatus
} from "./chunk-NGJ2CSOS.js";
import {
  NothingStagedError
} from "./chunk-43GDDJBF.js";
import {
  quotable
} from "./chunk-V7KSUL6B.js";
import {
  parseRetryAfter
} from "./chunk-LHVGWTLP.js";
import {
  iso_exports
} from "./chunk-VANO5NEW.js";
import {
  number,
  object,
  string
} from "./chunk-JOUJN4S6.js";
import {
  MarketingCloudError
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/marketing-cloud/management-contract.ts
var time = iso_exports.datetime({ offset: true }).transform((value) => new Date(value));
var statusSchema = object({
  clientId: string(),
  active: object({ createdAt: time, expiresAt: time }),
  staged: object({ createdAt: time, usableAt: time, expiresAt: time, description: string() }).nullable(),
  lastGeneratedAt: time.nullable(),
  lastActivatedAt: time.nullable()
});
var stagedSchema = object({
  clientSecret: string().min(1),
  createdAt: time,
  usableAt: time,
  expiresAt: time
});
var activatedSchema = object({ activatedAt: time, expiresAt: time });
var envelopeSchema = object({
  message: string(),
  errorcode: number().int(),
  usableAt: iso_exports.datetime({ offset: true }).optional()
});
var UNKNOWN_CLIENT = 10004;
var CONTRACT = "docs/management-api.openapi.yaml";
var TWO_CHOICES = `Either use \`management: setup\` (a person clicks Generate and Activate in Setup; works on every tenant), or point management-url at a service that implements ${CONTRACT}.`;
function describeForeign(reply, otherJson = "JSON that is not the contract's") {
  const type = reply.headers.get("content-type") ?? "";
  if (/html/i.test(type) || /^\s*</.test(reply.text)) return "an HTML page";
  if (reply.text.trim() === "") return "an empty body";
  if (parseJson(reply.text) === void 0) return "a body that is not JSON";
  return otherJson;
}
function notContract(baseUrl, call, reply, what) {
  return new MarketingCloudError(
    "management-url",
    `management-url ${baseUrl} does not serve the management contract: asked to ${call.action}, it answered ${reply.status} with ${what}. ${TWO_CHOICES}`,
    reply.status
  );
}

// src/marketing-cloud/management-refusal.ts
var ADMIN_INPUTS = "admin-client-id and admin-client-secret (or client-id and client-secret when those are not set)";
function notUsableYet(refused, envelope, detail) {
  const { reply, now } = refused;
  const afterMs = parseRetryAfter(reply.headers.get("retry-after"), now());
  const usableAt = envelope.usableAt ?? (afterMs === void 0 ? void 0 : new Date(now() + afterMs).toISOString());
  return new MarketingCloudError(
    "client-id",
    `The staged secret of client id ${refused.clientId} is not usable yet (${detail})${usableAt ? `; it can be activated from ${usableAt}` : ""}. Wait, then activate again.`,
    reply.status
  );
}
function byStatus(refused, envelope, detail) {
  const { reply, admin, clientId, url, action } = refused;
  const fail = (subject, text) => new MarketingCloudError(subject, text, reply.status);
  switch (reply.status) {
    case 401:
      return fail(
        "admin-client-secret",
        `The management service rejected the admin token even after a fresh one was issued (${detail}). Check ${ADMIN_INPUTS}, and that management-url serves this tenant.`
      );
    case 403:
      return fail(
        "admin-client-id",
        `The management service does not let package ${admin.clientId} ${action} (${detail}). The service at management-url decides which packages may manage secrets: allow this package there, or set admin-client-id and admin-client-secret to a package it allows.`
      );
    case 404:
      return fail(
        "client-id",
        `Client id ${clientId} was not found by the management service (${detail} from ${url}). Check client-id.`
      );
    case 409:
      return new NothingStagedError(
        "client-id",
        `There is no staged secret to activate for client id ${clientId} (${detail}). Stage a new secret first.`,
        reply.status
      );
    case 425:
      return notUsableYet(refused, envelope, detail);
    default:
      return fail(
        "management-url",
        `The management service refused to ${action} (${detail} from ${url}). Check management-url: it must be a service that implements ${CONTRACT}.`
      );
  }
}
function refusal(refused) {
  const { reply, baseUrl } = refused;
  const parsed = envelopeSchema.safeParse(parseJson(reply.text));
  if (!parsed.success) return notContract(baseUrl, refused, reply, describeForeign(reply));
  const envelope = parsed.data;
  if (reply.status === 404 && envelope.errorcode !== UNKNOWN_CLIENT) {
    const what = `errorcode ${envelope.errorcode}, not the contract's ${UNKNOWN_CLIENT}`;
    return notContract(baseUrl, refused, reply, what);
  }
  const message = quotable(envelope.message, refused.secrets);
  const detail = `${reply.status} errorcode ${envelope.errorcode}${message ? `: ${message}` : ""}`;
  return byStatus(refused, envelope, detail);
}

// src/marketing-cloud/management-client.ts
var STATUS = {
  method: "GET",
  suffix: "",
  action: "read the secret status",
  schema: statusSchema
};
function stageCall(description, unchanged) {
  return {
    method: "POST",
    suffix: "/staged",
    body: { description },
    action: "stage a new secret",
    schema: stagedSchema,
    guard: unchanged,
    unreadable: " A secret was probably generated but its value could not be read, so it cannot be used; a new one can be generated 5 minutes after it."
  };
}
function activateCall(status) {
  return {
    method: "POST",
    suffix: "/staged/activate",
    body: {},
    action: "activate the staged secret",
    schema: activatedSchema,
    // If the lost attempt did activate, nothing is staged any more: retrying would only
    // meet the 5-minute window and then a 409.
    reconcile: async () => {
      const now = await status();
      if (now.staged !== null || now.lastActivatedAt === null) return void 0;
      return { activatedAt: now.lastActivatedAt, expiresAt: now.active.expiresAt };
    }
  };
}
async function adminToken(tokens, admin, fresh) {
  try {
    return await tokens.token(admin, { fresh });
  } catch (error) {
    if (error instanceof MarketingCloudError && error.status === 401) {
      throw new MarketingCloudError(
        "admin-client-secret",
        `The management API needs an admin token, but ${error.message} Check ${ADMIN_INPUTS}.`,
        401
      );
    }
    throw error;
  }
}
function send(http, url, call, token, attempt) {
  const headers = {
    authorization: `Bearer ${token.accessToken}`,
    accept: "application/json"
  };
  if (call.body !== void 0) headers["content-type"] = "application/json";
  const body = call.body === void 0 ? void 0 : JSON.stringify(call.body);
  return sendOnce(http, url, { method: call.method, headers, body }, attempt);
}
function parseSuccess(baseUrl, call, reply) {
  const parsed = call.schema.safeParse(parseJson(reply.text));
  if (parsed.success) return parsed.data;
  const what = describeForeign(reply, `JSON that is not the contract's (${describeIssues(parsed.error)})`);
  const error = notContract(baseUrl, call, reply, what);
  if (call.unreadable) error.message += call.unreadable;
  throw error;
}
function exhausted(service, call, url, failure) {
  const reason = exhaustedReason(failure, service.http.policy);
  return failure.network ? new MarketingCloudError(
    "management-url",
    `The management service at ${url} cannot be reached (${reason}). Check management-url. ${TWO_CHOICES}`
  ) : new MarketingCloudError(
    "marketing-cloud",
    `The management service could not ${call.action} (${reason}). ${exhaustedAdvice(failure)}`,
    failure.status
  );
}
function request(service, call) {
  const { http } = service;
  const route = `${call.method} /platform/v1/oauth/clients/{clientId}/secrets${call.suffix}`;
  const url = `${service.secretsUrl}${call.suffix}`;
  let refreshed = false;
  const attempt = async (n, previous) => {
    await call.guard?.();
    if (call.reconcile && previous && previous.status !== 429) {
      const settled = await call.reconcile();
      if (settled !== void 0) return settled;
    }
    const admin = service.adminCredential();
    let reply = await send(http, url, call, await adminToken(service.tokens, admin, false), n);
    if (reply.status === 401 && !refreshed) {
      refreshed = true;
      reply = await send(http, url, call, await adminToken(service.tokens, admin, true), n);
    }
    const transient = transientStatus(http, reply, n);
    if (transient) throw transient;
    if (reply.status < 200 || reply.status > 299) {
      const { baseUrl, clientId } = service;
      const secrets = [...service.seen, admin.clientSecret];
      throw refusal({ reply, action: call.action, url, baseUrl, clientId, admin, secrets, now: http.now });
    }
    return parseSuccess(service.baseUrl, call, reply);
  };
  return retrying(http, route, attempt, (failure) => exhausted(service, call, url, failure));
}
function createManagementClient(options) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const service = {
    http: resolveHttp(options),
    tokens: options.tokens,
    adminCredential: options.adminCredential,
    baseUrl,
    clientId: options.clientId,
    secretsUrl: `${baseUrl}/platform/v1/oauth/clients/${encodeURIComponent(options.clientId)}/secrets`,
    seen: /* @__PURE__ */ new Set()
  };
  const status = () => request(service, STATUS);
  return {
    status,
    async stage(description, unchanged) {
      const staged = await request(service, stageCall(description, unchanged));
      service.seen.add(staged.clientSecret);
      return staged;
    },
    activate: () => request(service, activateCall(status))
  };
}
export {
  createManagementClient
};
