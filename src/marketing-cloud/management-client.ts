// Client of the secret management contract v1 (docs/management-api.openapi.yaml):
// status, stage and activate, authorised by a Marketing Cloud token. Turns each
// refusal into an error that names the input at fault and what to do, and an
// answer that is not the contract's into "this URL does not serve it".
import { z } from 'zod';
import type { Credential } from '../config.ts';
import { MarketingCloudError } from '../errors.ts';
import { quotable } from '../redact.ts';
import { parseRetryAfter } from '../retry.ts';
import {
  type ManagementPort,
  NothingStagedError,
  type SecretStatus,
  type StagedSecret,
} from '../rotation/ports.ts';
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

const time = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const statusSchema = z.object({
  clientId: z.string(),
  active: z.object({ createdAt: time, expiresAt: time }),
  staged: z.object({ createdAt: time, usableAt: time, expiresAt: time, description: z.string() }).nullable(),
  lastGeneratedAt: time.nullable(),
  lastActivatedAt: time.nullable(),
});

const stagedSchema = z.object({
  clientSecret: z.string().min(1),
  createdAt: time,
  usableAt: time,
  expiresAt: time,
});

const activatedSchema = z.object({ activatedAt: time, expiresAt: time });

/** Marketing Cloud's REST error envelope, as the contract requires it; `usableAt` is read when a 425 carries it. */
const envelopeSchema = z.object({
  message: z.string(),
  errorcode: z.number().int(),
  usableAt: z.iso.datetime({ offset: true }).optional(),
});

/** The contract's errorcode for "no such client id"; any other 404 comes from something else. */
const UNKNOWN_CLIENT = 10004;

const CONTRACT = 'docs/management-api.openapi.yaml';
const TWO_CHOICES =
  `Either use \`management: setup\` (a person clicks Generate and Activate in Setup; works on every tenant), ` +
  `or point management-url at a service that implements ${CONTRACT}.`;

/** What a reply that is not the contract's looks like, in words. */
/** What a reply that is not the contract is; JSON of another shape is described by `otherJson`. */
function describeForeign(reply: Reply, otherJson = "JSON that is not the contract's"): string {
  const type = reply.headers.get('content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(reply.text)) return 'an HTML page';
  if (reply.text.trim() === '') return 'an empty body';
  if (parseJson(reply.text) === undefined) return 'a body that is not JSON';
  return otherJson;
}

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

const ADMIN_INPUTS =
  'admin-client-id and admin-client-secret (or client-id and client-secret when those are not set)';

/** The run cannot go on: management-url answers, but not as the contract says. */
function notContract(
  baseUrl: string,
  call: { action: string },
  reply: Reply,
  what: string,
): MarketingCloudError {
  return new MarketingCloudError(
    'management-url',
    `management-url ${baseUrl} does not serve the management contract: asked to ${call.action}, it answered ` +
      `${reply.status} with ${what}. ${TWO_CHOICES}`,
    reply.status,
  );
}

export function createManagementClient(options: ManagementClientOptions): ManagementPort {
  const http: Http = resolveHttp(options);
  const { tokens, clientId } = options;
  const secretsPath = `/platform/v1/oauth/clients/${encodeURIComponent(clientId)}/secrets`;
  /** Staged secrets seen by this client, so no server text quoted in an error can carry one. */
  const seen = new Set<string>();

  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function adminToken(admin: Credential, fresh: boolean): Promise<AccessToken> {
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

  function refusal(call: Call<unknown>, reply: Reply, admin: Credential, url: string): MarketingCloudError {
    const parsed = envelopeSchema.safeParse(parseJson(reply.text));
    if (!parsed.success) return notContract(baseUrl, call, reply, describeForeign(reply));
    const envelope = parsed.data;
    if (reply.status === 404 && envelope.errorcode !== UNKNOWN_CLIENT) {
      return notContract(
        baseUrl,
        call,
        reply,
        `errorcode ${envelope.errorcode}, not the contract's ${UNKNOWN_CLIENT}`,
      );
    }
    const message = quotable(envelope.message, [...seen, admin.clientSecret]);
    const detail = `${reply.status} errorcode ${envelope.errorcode}${message ? `: ${message}` : ''}`;
    const fail = (subject: string, text: string) => new MarketingCloudError(subject, text, reply.status);
    switch (reply.status) {
      case 401:
        return fail(
          'admin-client-secret',
          `The management service rejected the admin token even after a fresh one was issued (${detail}). ` +
            `Check ${ADMIN_INPUTS}, and that management-url serves this tenant.`,
        );
      case 403:
        return fail(
          'admin-client-id',
          `The management service does not let package ${admin.clientId} ${call.action} (${detail}). ` +
            'The service at management-url decides which packages may manage secrets: allow this package there, ' +
            'or set admin-client-id and admin-client-secret to a package it allows.',
        );
      case 404:
        return fail(
          'client-id',
          `Client id ${clientId} was not found by the management service (${detail} from ${url}). Check client-id.`,
        );
      case 409:
        // The contract's 409 is activation with nothing staged; the engine learns it as a domain error.
        return new NothingStagedError(
          'client-id',
          `There is no staged secret to activate for client id ${clientId} (${detail}). Stage a new secret first.`,
          reply.status,
        );
      case 425: {
        const afterMs = parseRetryAfter(reply.headers.get('retry-after'), http.now());
        const usableAt =
          envelope.usableAt ??
          (afterMs === undefined ? undefined : new Date(http.now() + afterMs).toISOString());
        return fail(
          'client-id',
          `The staged secret of client id ${clientId} is not usable yet (${detail})` +
            `${usableAt ? `; it can be activated from ${usableAt}` : ''}. Wait, then activate again.`,
        );
      }
      default:
        return fail(
          'management-url',
          `The management service refused to ${call.action} (${detail} from ${url}). ` +
            `Check management-url: it must be a service that implements ${CONTRACT}.`,
        );
    }
  }

  async function request<T>(call: Call<T>): Promise<T> {
    const route = `${call.method} /platform/v1/oauth/clients/{clientId}/secrets${call.suffix}`;
    let refreshed = false;
    let url = '';
    const send = async (token: AccessToken, attempt: number): Promise<Reply> => {
      url = `${baseUrl}${secretsPath}${call.suffix}`;
      const headers: Record<string, string> = {
        authorization: `Bearer ${token.accessToken}`,
        accept: 'application/json',
      };
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      const body = call.body === undefined ? undefined : JSON.stringify(call.body);
      return sendOnce(http, url, { method: call.method, headers, body }, attempt);
    };

    const attempt = async (n: number, previous: TransientFailure | undefined): Promise<T> => {
      await call.guard?.();
      if (call.reconcile && previous && previous.status !== 429) {
        const settled = await call.reconcile();
        if (settled !== undefined) return settled;
      }
      const admin = options.adminCredential();
      let reply = await send(await adminToken(admin, false), n);
      // A cached token may have been revoked since it was issued: renew it once per call.
      if (reply.status === 401 && !refreshed) {
        refreshed = true;
        reply = await send(await adminToken(admin, true), n);
      }
      const transient = transientStatus(http, reply, n);
      if (transient) throw transient;
      if (reply.status < 200 || reply.status > 299) throw refusal(call, reply, admin, url);
      const parsed = call.schema.safeParse(parseJson(reply.text));
      if (!parsed.success) {
        const what = describeForeign(
          reply,
          `JSON that is not the contract's (${describeIssues(parsed.error)})`,
        );
        const error = notContract(baseUrl, call, reply, what);
        if (call.unreadable) error.message += call.unreadable;
        throw error;
      }
      return parsed.data;
    };

    return retrying(http, route, attempt, (failure) =>
      failure.network
        ? new MarketingCloudError(
            'management-url',
            `The management service at ${url} cannot be reached (${exhaustedReason(failure, http.policy)}). ` +
              `Check management-url. ${TWO_CHOICES}`,
          )
        : new MarketingCloudError(
            'marketing-cloud',
            `The management service could not ${call.action} (${exhaustedReason(failure, http.policy)}). ` +
              exhaustedAdvice(failure),
            failure.status,
          ),
    );
  }

  const status = (): Promise<SecretStatus> =>
    request({ method: 'GET', suffix: '', action: 'read the secret status', schema: statusSchema });

  return {
    status,

    async stage(description, unchanged) {
      const staged: StagedSecret = await request({
        method: 'POST',
        suffix: '/staged',
        body: { description },
        action: 'stage a new secret',
        schema: stagedSchema,
        guard: unchanged,
        unreadable:
          ' A secret was probably generated but its value could not be read, so it cannot be used;' +
          ' a new one can be generated 5 minutes after it.',
      });
      seen.add(staged.clientSecret);
      return staged;
    },

    activate() {
      return request({
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
      });
    },
  };
}
