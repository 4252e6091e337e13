// The secret management contract v1 (docs/management-api.openapi.yaml): status,
// stage, activate. Only a live token of an Admin package (the emulator's
// stand-in for whatever the service allows) may call it, for its own tenant.
import { z } from 'zod';
import {
  bearer,
  type FaultMode,
  HttpError,
  jsonBody,
  type Reply,
  type RequestContext,
  type Route,
} from '../common/server.ts';
import { iso, type PackageRecord, type Platform, PlatformRuleError, type RuleViolation } from './platform.ts';
import { MC_ROUTES } from './routes.ts';

const DOCUMENTATION =
  'https://developer.salesforce.com/docs/marketing/marketing-cloud/guide/error-handling.html';

/** Error codes of the REST envelope (docs/management-api.openapi.yaml); 50100 and 50200 are Salesforce's throttling. */
export const ERROR_CODES = {
  notAuthorized: 0,
  badRequest: 10001,
  forbidden: 10003,
  notFound: 10004,
  nothingStaged: 10009,
  notUsable: 10025,
  tooSoon: 10029,
  throttled: 50100,
  blocked: 50200,
} as const;

/** Marketing Cloud's REST error envelope. */
export function restError(message: string, errorcode: number) {
  return { message, errorcode, documentation: DOCUMENTATION };
}

/**
 * Marketing Cloud's throttling replies, as a fault for any route (token
 * endpoint or management API), from "Rate Limiting Errors"
 * (https://developer.salesforce.com/docs/atlas.en-us.mc-apis.meta/mc-apis/rate-limiting-errors.htm):
 * 50100 "Rate limit exceeded" with `Retry-After: 5` (and `retryAfter` in the
 * body); 50200 "Your requests are temporarily blocked." with no Retry-After.
 */
export function rateLimited(errorcode: 50100 | 50200, retryAfterSeconds = 5): FaultMode {
  if (errorcode === ERROR_CODES.blocked) {
    return {
      kind: 'status',
      status: 429,
      body: restError('Your requests are temporarily blocked.', errorcode),
    };
  }
  return {
    kind: 'status',
    status: 429,
    retryAfter: retryAfterSeconds,
    body: { ...restError('Rate limit exceeded', errorcode), retryAfter: retryAfterSeconds },
  };
}

/** Whole seconds, rounded up, at least 1. */
function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

const RULE_REPLIES: Record<RuleViolation, { status: number; errorcode: number }> = {
  'unknown-client': { status: 404, errorcode: ERROR_CODES.notFound },
  'nothing-staged': { status: 409, errorcode: ERROR_CODES.nothingStaged },
  'not-usable': { status: 425, errorcode: ERROR_CODES.notUsable },
  'too-soon': { status: 429, errorcode: ERROR_CODES.tooSoon },
};

function ruleReply(error: PlatformRuleError): Reply {
  const { status, errorcode } = RULE_REPLIES[error.violation];
  return {
    status,
    headers:
      error.retryAfterMs === undefined
        ? {}
        : { 'retry-after': String(retryAfterSeconds(error.retryAfterMs)) },
    body: restError(error.message, errorcode),
  };
}

const stageSchema = z.object({ description: z.string().max(255).optional() });
const activateSchema = z.object({});

/** Without `emptyBody`, a body is required. */
function parse<T>(ctx: RequestContext, schema: z.ZodType<T>, emptyBody?: object): T {
  const badRequest = (message: string) => restError(message, ERROR_CODES.badRequest);
  const json = ctx.rawBody.length === 0 && emptyBody ? emptyBody : jsonBody(ctx, badRequest);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError({ status: 400, body: badRequest(z.prettifyError(parsed.error)) });
  return parsed.data;
}

export function managementRoutes(platform: Platform): Route[] {
  /** 401, then 403, then 404, so a caller without rights learns nothing about other packages. */
  const target = (ctx: RequestContext): PackageRecord => {
    const token = bearer(ctx.headers);
    const caller = token === undefined ? undefined : platform.tokenOwner(token);
    if (!caller) {
      throw new HttpError({ status: 401, body: restError('Not Authorized', ERROR_CODES.notAuthorized) });
    }
    if (!caller.admin) {
      throw new HttpError({
        status: 403,
        body: restError(
          'This package may not manage the secrets of installed packages.',
          ERROR_CODES.forbidden,
        ),
      });
    }
    const pkg = platform.find(ctx.params.clientId ?? '');
    if (!pkg || pkg.tenant !== caller.tenant) {
      throw new HttpError({
        status: 404,
        body: restError('No installed package has that client id.', ERROR_CODES.notFound),
      });
    }
    return pkg;
  };

  /** Applies the platform's rules and maps a refusal to its REST reply. */
  const guarded =
    (run: (ctx: RequestContext, pkg: PackageRecord) => Reply) =>
    (ctx: RequestContext): Reply => {
      const pkg = target(ctx);
      try {
        return run(ctx, pkg);
      } catch (error) {
        if (error instanceof PlatformRuleError) return ruleReply(error);
        throw error;
      }
    };

  const base = '/platform/v1/oauth/clients/:clientId/secrets';
  return [
    {
      method: 'GET',
      pattern: base,
      name: MC_ROUTES.status,
      handler: guarded((_ctx, pkg) => ({ status: 200, body: platform.status(pkg.clientId) })),
    },
    {
      method: 'POST',
      pattern: `${base}/staged`,
      name: MC_ROUTES.stage,
      handler: guarded((ctx, pkg) => {
        const { description = '' } = parse(ctx, stageSchema);
        const staged = platform.generate(pkg.clientId, description);
        return {
          status: 201,
          body: {
            clientSecret: staged.clientSecret,
            createdAt: iso(staged.createdAt),
            usableAt: iso(staged.usableAt),
            expiresAt: iso(staged.expiresAt),
          },
        };
      }),
    },
    {
      method: 'POST',
      pattern: `${base}/staged/activate`,
      name: MC_ROUTES.activate,
      handler: guarded((ctx, pkg) => {
        // `{}` is the documented body; an empty body is accepted too.
        parse(ctx, activateSchema, {});
        const { activatedAt, expiresAt } = platform.activate(pkg.clientId);
        return { status: 200, body: { activatedAt: iso(activatedAt), expiresAt: iso(expiresAt) } };
      }),
    },
  ];
}
