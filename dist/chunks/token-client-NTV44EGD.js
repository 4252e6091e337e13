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
  secureScheme
} from "./chunk-7FBT7GSQ.js";
import {
  quotable
} from "./chunk-V7KSUL6B.js";
import "./chunk-LHVGWTLP.js";
import {
  number,
  object,
  string,
  url
} from "./chunk-JOUJN4S6.js";
import {
  MarketingCloudError
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/marketing-cloud/token-client.ts
import { createHash } from "node:crypto";
var tokenResponseSchema = object({
  access_token: string().min(1),
  expires_in: number().positive(),
  rest_instance_url: url(),
  scope: string().optional()
});
var tokenErrorSchema = object({
  error: string().optional(),
  error_description: string().optional()
});
var ROUTE = "POST /v2/token";
var URL_INPUTS = "subdomain / auth-url";
var CHECK_URL = `Check ${URL_INPUTS}: it must point at https://<subdomain>.auth.marketingcloudapis.com/v2/token.`;
function reuseMarginMs(lifetimeMs) {
  return Math.min(6e4, lifetimeMs / 4);
}
function cacheKey(credential) {
  return createHash("sha256").update(`${credential.clientId}\0${credential.clientSecret}`).digest("hex");
}
var TokenClient = class {
  http;
  tokenUrl;
  accountId;
  mask;
  /** One entry per credential; a pending promise is shared by concurrent callers. */
  cache = /* @__PURE__ */ new Map();
  constructor(options) {
    this.http = resolveHttp(options);
    this.tokenUrl = options.tokenUrl;
    this.accountId = options.accountId;
    this.mask = options.mask ?? (() => void 0);
  }
  /** An access token for this credential, cached and reused until shortly before expires_in runs out. */
  async token(credential, options) {
    const outcome = await this.obtain(credential, options?.fresh ?? false);
    if (outcome.ok) return outcome.token;
    throw new MarketingCloudError(
      "client-secret",
      `Marketing Cloud rejected the credentials of client id ${credential.clientId} (${outcome.reason}). Check that the client secret given for this client id is current and that the package is enabled.`,
      401
    );
  }
  /** TokenPort for one client id: does a secret get a token (401 means rejected)? */
  portFor(clientId) {
    return {
      check: async (clientSecret, options) => {
        const outcome = await this.obtain({ clientId, clientSecret }, options?.fresh ?? false);
        return outcome.ok ? { accepted: true } : { accepted: false, reason: outcome.reason };
      }
    };
  }
  async obtain(credential, fresh) {
    const key = cacheKey(credential);
    const pending = fresh ? void 0 : this.cache.get(key);
    if (pending) {
      const outcome = await pending;
      if (!outcome.ok || this.http.now() < outcome.reuseUntil) return outcome;
    }
    const request = this.request(credential);
    this.cache.set(key, request);
    const forget = () => {
      if (this.cache.get(key) === request) this.cache.delete(key);
    };
    request.then((outcome) => {
      if (!outcome.ok) forget();
    }, forget);
    return request;
  }
  request(credential) {
    const body = JSON.stringify({
      grant_type: "client_credentials",
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      ...this.accountId === void 0 ? {} : { account_id: this.accountId }
    });
    return retrying(
      this.http,
      ROUTE,
      async (attempt) => {
        const reply = await sendOnce(
          this.http,
          this.tokenUrl,
          {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body
          },
          attempt
        );
        const transient = transientStatus(this.http, reply, attempt);
        if (transient) throw transient;
        return this.interpret(reply, credential);
      },
      (failure) => new MarketingCloudError(
        "auth-url",
        failure.network ? `The token URL ${this.tokenUrl} cannot be reached (${exhaustedReason(failure, this.http.policy)}). ` + CHECK_URL : `Marketing Cloud's token endpoint ${this.tokenUrl} kept failing (${exhaustedReason(failure, this.http.policy)}). ` + exhaustedAdvice(failure),
        failure.status
      )
    );
  }
  interpret(reply, credential) {
    if (reply.status === 200) {
      const parsed = tokenResponseSchema.safeParse(parseJson(reply.text));
      if (!parsed.success) {
        throw new MarketingCloudError(
          "auth-url",
          `The token URL ${this.tokenUrl} answered 200 but not with a Marketing Cloud token (${describeIssues(parsed.error)}). ` + CHECK_URL
        );
      }
      const { access_token, expires_in, rest_instance_url, scope } = parsed.data;
      this.mask(access_token);
      this.checkInstanceUrl(rest_instance_url);
      const now = this.http.now();
      const lifetimeMs = expires_in * 1e3;
      return {
        ok: true,
        token: {
          accessToken: access_token,
          expiresAt: now + lifetimeMs,
          restInstanceUrl: rest_instance_url,
          scope
        },
        reuseUntil: now + lifetimeMs - reuseMarginMs(lifetimeMs)
      };
    }
    const detail = this.errorDetail(reply, credential);
    if (reply.status === 401) return { ok: false, reason: detail };
    const hint = reply.status === 400 ? `Check ${URL_INPUTS} and account-id (the MID must belong to this package's tenant).` : CHECK_URL;
    throw new MarketingCloudError(
      "auth-url",
      `Marketing Cloud's token endpoint ${this.tokenUrl} refused the request (${detail}). ${hint}`,
      reply.status
    );
  }
  /**
   * The action calls only its own URL inputs (management-url is explicit), but
   * a token answer naming an insecure rest_instance_url is not one Marketing
   * Cloud gives: https, or http on loopback as the URL inputs allow. Only the
   * scheme is quoted: the rest is untrusted text.
   */
  checkInstanceUrl(text) {
    const url2 = new URL(text);
    if (secureScheme(url2) && url2.username === "" && url2.password === "") return;
    const what = url2.username || url2.password ? "with credentials" : `using ${url2.protocol.replace(":", "")}`;
    throw new MarketingCloudError(
      "auth-url",
      `The token URL ${this.tokenUrl} answered with a rest_instance_url ${what}; it must be https (http only on 127.0.0.1, localhost or [::1]), so the run stops before using it. ` + CHECK_URL
    );
  }
  /** `401 invalid_client: description`, from the OAuth error body when there is one. */
  errorDetail(reply, credential) {
    const parsed = tokenErrorSchema.safeParse(parseJson(reply.text));
    const parts = parsed.success ? [parsed.data.error, parsed.data.error_description] : [];
    const text = quotable(parts.filter(Boolean).join(": "), [credential.clientSecret]);
    return text ? `${reply.status} ${text}` : `${reply.status}`;
  }
};
export {
  TokenClient
};
