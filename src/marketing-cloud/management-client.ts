// Client of the secret management contract v1 (docs/management-api.openapi.yaml):
// status, stage and activate, authorised by a Marketing Cloud token. Each
// operation is a Call (what to send, how to read the answer); one loop sends
// a call with retries (http.ts). A refusal becomes an error that names the
// input at fault (management-refusal.ts), an answer that is not the
// contract's says "this URL does not serve it" (management-contract.ts).
import type { z } from 'zod';
import type { Credential } from '../config.ts';
import { MarketingCloudError } from '../errors.ts';
import type { ManagementPort, SecretStatus, StagedSecret } from '../rotation/ports.ts';
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
  type TransientFailure,
  transientStatus,
} from './http.ts';
import {
  activatedSchema,
  describeForeign,
  notContract,
  stagedSchema,
  statusSchema,
  TWO_CHOICES,
} from './management-contract.ts';
import { ADMIN_INPUTS, refusal } from './management-refusal.ts';
import type { AccessToken, TokenClient } from './token-client.ts';

export interface ManagementClientOptions extends HttpOptions {
  tokens: TokenClient;
  /**
   * The credential whose token the management service accepts; a function because
   * the caller may switch it after activation when that package is the rotated one.
   */
  adminCredential: () => Credential;
  /** Base URL of the service implementing the contract (`management-url`); tenants serve none of their own. */
  baseUrl: string;
  /** The package being rotated. */
  clientId: string;
}

/** One operation of the contract. */
interface Call<T> {
  method: 'GET' | 'POST';
  /** Path after `/secrets`. */
  suffix: string;
  body?: unknown;
  /** What the call does, for messages: "stage a new secret". */
  action: string;
  schema: z.ZodType<T>;
  /** Said when a success response cannot be read. */
  unreadable?: string;
  /** Runs before every attempt; throws to call the request off. */
  guard?: () => Promise<void>;
  /**
   * Before retrying after a failure that may have taken effect on the server
   * (no answer, or 5xx), find out whether it did; a result ends the call.
   */
  reconcile?: () => Promise<T | undefined>;
}

/** The service one client talks to, and what every call of it shares. */
interface Service {
  http: Http;
  tokens: TokenClient;
  adminCredential: () => Credential;
  /** management-url, without a trailing slash. */
  baseUrl: string;
  clientId: string;
  /** `${baseUrl}/platform/v1/oauth/clients/{clientId}/secrets` */
  secretsUrl: string;
  /** Staged secrets seen by this client, so no server text quoted in an error can carry one. */
  seen: Set<string>;
}

const STATUS: Call<SecretStatus> = {
  method: 'GET',
  suffix: '',
  action: 'read the secret status',
  schema: statusSchema,
};

function stageCall(description: string, unchanged?: () => Promise<void>): Call<StagedSecret> {
  return {
    method: 'POST',
    suffix: '/staged',
    body: { description },
    action: 'stage a new secret',
    schema: stagedSchema,
    guard: unchanged,
    unreadable:
      ' A secret was probably generated but its value could not be read, so it cannot be used;' +
      ' a new one can be generated 5 minutes after it.',
  };
}

function activateCall(status: () => Promise<SecretStatus>): Call<z.infer<typeof activatedSchema>> {
  return {
    method: 'POST',
    suffix: '/staged/activate',
    body: {},
    action: 'activate the staged secret',
    schema: activatedSchema,
    // If the lost attempt did activate, nothing is staged any more: retrying would only
    // meet the 5-minute window and then a 409.
    reconcile: async () => {
      const now = await status();
      if (now.staged !== null || now.lastActivatedAt === null) return undefined;
      return { activatedAt: now.lastActivatedAt, expiresAt: now.active.expiresAt };
    },
  };
}

/** A token of the admin package; the token endpoint's 401 is about the admin inputs. */
async function adminToken(tokens: TokenClient, admin: Credential, fresh: boolean): Promise<AccessToken> {
  try {
    return await tokens.token(admin, { fresh });
  } catch (error) {
    if (error instanceof MarketingCloudError && error.status === 401) {
      throw new MarketingCloudError(
        'admin-client-secret',
        `The management API needs an admin token, but ${error.message} Check ${ADMIN_INPUTS}.`,
        401,
      );
    }
    throw error;
  }
}

/** One attempt of `call`, sent as the contract says; any answer resolves. */
function send(http: Http, url: string, call: Call<unknown>, token: AccessToken, attempt: number) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token.accessToken}`,
    accept: 'application/json',
  };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  return sendOnce(http, url, { method: call.method, headers, body }, attempt);
}

/** A 2xx answer read with the call's schema; anything else means management-url does not serve the contract. */
function parseSuccess<T>(baseUrl: string, call: Call<T>, reply: Reply): T {
  const parsed = call.schema.safeParse(parseJson(reply.text));
  if (parsed.success) return parsed.data;
  const what = describeForeign(reply, `JSON that is not the contract's (${describeIssues(parsed.error)})`);
  const error = notContract(baseUrl, call, reply, what);
  if (call.unreadable) error.message += call.unreadable;
  throw error;
}

/** The error once retries of `call` ran out: unreachable, or still failing. */
function exhausted(service: Service, call: Call<unknown>, url: string, failure: TransientFailure): Error {
  const reason = exhaustedReason(failure, service.http.policy);
  return failure.network
    ? new MarketingCloudError(
        'management-url',
        `The management service at ${url} cannot be reached (${reason}). Check management-url. ${TWO_CHOICES}`,
      )
    : new MarketingCloudError(
        'marketing-cloud',
        `The management service could not ${call.action} (${reason}). ${exhaustedAdvice(failure)}`,
        failure.status,
      );
}

/** `call` sent until it succeeds, is refused, or retries run out; a 401 renews the admin token once. */
function request<T>(service: Service, call: Call<T>): Promise<T> {
  const { http } = service;
  const route = `${call.method} /platform/v1/oauth/clients/{clientId}/secrets${call.suffix}`;
  const url = `${service.secretsUrl}${call.suffix}`;
  let refreshed = false;
  const attempt = async (n: number, previous: TransientFailure | undefined): Promise<T> => {
    await call.guard?.();
    if (call.reconcile && previous && previous.status !== 429) {
      const settled = await call.reconcile();
      if (settled !== undefined) return settled;
    }
    const admin = service.adminCredential();
    let reply = await send(http, url, call, await adminToken(service.tokens, admin, false), n);
    // A cached token may have been revoked since it was issued: renew it once per call.
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

export function createManagementClient(options: ManagementClientOptions): ManagementPort {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const service: Service = {
    http: resolveHttp(options),
    tokens: options.tokens,
    adminCredential: options.adminCredential,
    baseUrl,
    clientId: options.clientId,
    secretsUrl: `${baseUrl}/platform/v1/oauth/clients/${encodeURIComponent(options.clientId)}/secrets`,
    seen: new Set(),
  };
  const status = () => request(service, STATUS);
  return {
    status,
    async stage(description, unchanged) {
      const staged = await request(service, stageCall(description, unchanged));
      service.seen.add(staged.clientSecret);
      return staged;
    },
    activate: () => request(service, activateCall(status)),
  };
}
