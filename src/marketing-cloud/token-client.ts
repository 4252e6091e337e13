// Client of Marketing Cloud's token endpoint (POST /v2/token). Issues one
// token per credential and reuses it until shortly before it expires, and
// implements the engine's TokenPort: does this secret get a token?
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Credential } from '../config.ts';
import { MarketingCloudError } from '../errors.ts';
import { quotable } from '../redact.ts';
import type { TokenCheck, TokenPort } from '../rotation/ports.ts';
import { secureScheme } from '../service-url.ts';
import {
  describeIssues,
  exhaustedAdvice,
  exhaustedReason,
  type Http,
  type HttpOptions,
  parseJson,
  type Reply,
  resolveHttp,
  retrying,
  sendOnce,
  transientStatus,
} from './http.ts';

export interface TokenClientOptions extends HttpOptions {
  /** Full URL of /v2/token. */
  tokenUrl: string;
  /** MID; sent as account_id when given. */
  accountId?: string;
  /** Called with each access token the moment it is received (main wires it to core.setSecret). */
  mask?: (accessToken: string) => void;
}

export interface AccessToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  restInstanceUrl: string;
  scope?: string;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  rest_instance_url: z.url(),
  scope: z.string().optional(),
});

const tokenErrorSchema = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
});

const ROUTE = 'POST /v2/token';
const URL_INPUTS = 'subdomain / auth-url';
const CHECK_URL = `Check ${URL_INPUTS}: it must point at https://<subdomain>.auth.marketingcloudapis.com/v2/token.`;

/** Stop reusing a token this long before it expires: a minute, or a quarter of a short lifetime. */
function reuseMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 4);
}

type Outcome = { ok: true; token: AccessToken; reuseUntil: number } | { ok: false; reason: string };

/** The cache key: the secret only as a hash, so no plaintext sits in the map's keys. */
function cacheKey(credential: Credential): string {
  return createHash('sha256').update(`${credential.clientId}\0${credential.clientSecret}`).digest('hex');
}

export class TokenClient {
  private readonly http: Http;
  private readonly tokenUrl: string;
  private readonly accountId?: string;
  private readonly mask: (accessToken: string) => void;
  /** One entry per credential; a pending promise is shared by concurrent callers. */
  private readonly cache = new Map<string, Promise<Outcome>>();

  constructor(options: TokenClientOptions) {
    this.http = resolveHttp(options);
    this.tokenUrl = options.tokenUrl;
    this.accountId = options.accountId;
    this.mask = options.mask ?? (() => undefined);
  }

  /** An access token for this credential, cached and reused until shortly before expires_in runs out. */
  async token(credential: Credential, options?: { fresh?: boolean }): Promise<AccessToken> {
    const outcome = await this.obtain(credential, options?.fresh ?? false);
    if (outcome.ok) return outcome.token;
    throw new MarketingCloudError(
      'client-secret',
      `Marketing Cloud rejected the credentials of client id ${credential.clientId} (${outcome.reason}). ` +
        'Check that the client secret given for this client id is current and that the package is enabled.',
      401,
    );
  }

  /** TokenPort for one client id: does a secret get a token (401 means rejected)? */
  portFor(clientId: string): TokenPort {
    return {
      check: async (clientSecret, options): Promise<TokenCheck> => {
        const outcome = await this.obtain({ clientId, clientSecret }, options?.fresh ?? false);
        return outcome.ok ? { accepted: true } : { accepted: false, reason: outcome.reason };
      },
    };
  }

  private async obtain(credential: Credential, fresh: boolean): Promise<Outcome> {
    const key = cacheKey(credential);
    const pending = fresh ? undefined : this.cache.get(key);
    if (pending) {
      const outcome = await pending;
      if (!outcome.ok || this.http.now() < outcome.reuseUntil) return outcome;
    }
    const request = this.request(credential);
    this.cache.set(key, request);
    // A rejection or failure is not cached: the next call asks again.
    const forget = () => {
      if (this.cache.get(key) === request) this.cache.delete(key);
    };
    request.then((outcome) => {
      if (!outcome.ok) forget();
    }, forget);
    return request;
  }

  private request(credential: Credential): Promise<Outcome> {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      ...(this.accountId === undefined ? {} : { account_id: this.accountId }),
    });
    return retrying(
      this.http,
      ROUTE,
      async (attempt) => {
        const reply = await sendOnce(
          this.http,
          this.tokenUrl,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body,
          },
          attempt,
        );
        const transient = transientStatus(this.http, reply, attempt);
        if (transient) throw transient;
        return this.interpret(reply, credential);
      },
      (failure) =>
        new MarketingCloudError(
          'auth-url',
          failure.network
            ? `The token URL ${this.tokenUrl} cannot be reached (${exhaustedReason(failure, this.http.policy)}). ` +
                CHECK_URL
            : `Marketing Cloud's token endpoint ${this.tokenUrl} kept failing (${exhaustedReason(failure, this.http.policy)}). ` +
                exhaustedAdvice(failure),
          failure.status,
        ),
    );
  }

  private interpret(reply: Reply, credential: Credential): Outcome {
    if (reply.status === 200) {
      const parsed = tokenResponseSchema.safeParse(parseJson(reply.text));
      if (!parsed.success) {
        throw new MarketingCloudError(
          'auth-url',
          `The token URL ${this.tokenUrl} answered 200 but not with a Marketing Cloud token (${describeIssues(parsed.error)}). ` +
            CHECK_URL,
        );
      }
      const { access_token, expires_in, rest_instance_url, scope } = parsed.data;
      this.mask(access_token);
      this.checkInstanceUrl(rest_instance_url);
      const now = this.http.now();
      const lifetimeMs = expires_in * 1000;
      return {
        ok: true,
        token: {
          accessToken: access_token,
          expiresAt: now + lifetimeMs,
          restInstanceUrl: rest_instance_url,
          scope,
        },
        reuseUntil: now + lifetimeMs - reuseMarginMs(lifetimeMs),
      };
    }
    const detail = this.errorDetail(reply, credential);
    if (reply.status === 401) return { ok: false, reason: detail };
    const hint =
      reply.status === 400
        ? `Check ${URL_INPUTS} and account-id (the MID must belong to this package's tenant).`
        : CHECK_URL;
    throw new MarketingCloudError(
      'auth-url',
      `Marketing Cloud's token endpoint ${this.tokenUrl} refused the request (${detail}). ${hint}`,
      reply.status,
    );
  }

  /**
   * The action calls only its own URL inputs (management-url is explicit), but
   * a token answer naming an insecure rest_instance_url is not one Marketing
   * Cloud gives: https, or http on loopback as the URL inputs allow. Only the
   * scheme is quoted: the rest is untrusted text.
   */
  private checkInstanceUrl(text: string): void {
    const url = new URL(text);
    if (secureScheme(url) && url.username === '' && url.password === '') return;
    const what = url.username || url.password ? 'with credentials' : `using ${url.protocol.replace(':', '')}`;
    throw new MarketingCloudError(
      'auth-url',
      `The token URL ${this.tokenUrl} answered with a rest_instance_url ${what}; it must be https ` +
        '(http only on 127.0.0.1, localhost or [::1]), so the run stops before using it. ' +
        CHECK_URL,
    );
  }

  /** `401 invalid_client: description`, from the OAuth error body when there is one. */
  private errorDetail(reply: Reply, credential: Credential): string {
    const parsed = tokenErrorSchema.safeParse(parseJson(reply.text));
    const parts = parsed.success ? [parsed.data.error, parsed.data.error_description] : [];
    const text = quotable(parts.filter(Boolean).join(': '), [credential.clientSecret]);
    return text ? `${reply.status} ${text}` : `${reply.status}`;
  }
}
