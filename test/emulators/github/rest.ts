// Wraps GitHub REST routes: a valid token first (401), then the request is
// checked against the OpenAPI description (422 when it does not conform), and
// every reply is checked too. Failures are recorded for tests to assert on.
import { HttpError, type Reply, type RequestContext, type Route } from '../common/server.ts';
import { githubError } from './errors.ts';
import { findOperation, type MatchedOperation, requestErrors, responseErrors } from './openapi.ts';
import type { TokenRegistry } from './tokens.ts';

export interface ValidationFailure {
  direction: 'request' | 'response';
  method: string;
  path: string;
  errors: string;
}

/** A path parameter of the matched route. */
export const param = (ctx: RequestContext, name: string): string => ctx.params[name] ?? '';

export function githubRestRoutes(
  routes: Route[],
  deps: { tokens: TokenRegistry; failures: ValidationFailure[] },
): Route[] {
  const record = (direction: ValidationFailure['direction'], ctx: RequestContext, errors: string[]): void => {
    deps.failures.push({
      direction,
      method: ctx.method,
      path: ctx.url.pathname + ctx.url.search,
      errors: errors.join('; '),
    });
  };

  // The 422 for a non-conforming request is GitHub's generic shape, not every operation's documented
  // 422 (issues document a Validation Error whose errors are objects): it is not checked as a response.
  const rejections = new WeakSet<Reply>();

  const answer = async (route: Route, op: MatchedOperation, ctx: RequestContext): Promise<Reply> => {
    try {
      deps.tokens.authenticate(ctx.headers);
      const errors = requestErrors(op, ctx.url.searchParams, ctx.rawBody);
      if (errors.length > 0) {
        record('request', ctx, errors);
        const rejection = githubError(422, 'Invalid request.', { errors });
        rejections.add(rejection);
        return rejection;
      }
      return await route.handler(ctx);
    } catch (error) {
      if (error instanceof HttpError) return error.reply;
      throw error;
    }
  };

  return routes.map((route) => ({
    ...route,
    name: route.name ?? `${route.method} ${route.pattern}`,
    handler: async (ctx) => {
      const op = findOperation(ctx.method, ctx.url.pathname);
      // An emulator route GitHub does not have is a bug in the emulator, not in the client.
      if (!op) throw new Error(`no GitHub REST operation matches ${ctx.method} ${ctx.url.pathname}`);
      const reply = await answer(route, op, ctx);
      const errors = rejections.has(reply) ? [] : responseErrors(op, reply);
      if (errors.length > 0) record('response', ctx, errors);
      return reply;
    },
  }));
}
