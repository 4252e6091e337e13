// POST /v2/token: the public OAuth 2.0 client-credentials endpoint.
import { z } from 'zod';
import { HttpError, jsonBody, type Route } from '../common/server.ts';
import type { Platform } from './platform.ts';
import { MC_ROUTES } from './routes.ts';

const ERROR_URI = 'https://developer.salesforce.com/docs';
const DEFAULT_SCOPE = 'email_read email_write email_send data_extensions_read data_extensions_write';

const oauthError = (error: string, description: string) => ({
  error,
  error_description: description,
  error_uri: ERROR_URI,
});

const requestSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  // Marketing Cloud takes the MID as a number or a string.
  account_id: z.union([z.string(), z.number()]).optional(),
  scope: z.string().optional(),
});

function invalidRequest(description: string): HttpError {
  return new HttpError({ status: 400, body: oauthError('invalid_request', description) });
}

/** `baseUrl` is read per request: the server's port is known only once it listens. */
export function tokenRoute(platform: Platform, baseUrl: () => string): Route {
  return {
    method: 'POST',
    pattern: '/v2/token',
    name: MC_ROUTES.token,
    handler: (ctx) => {
      const body = jsonBody(ctx, (message) => oauthError('invalid_request', message));
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw invalidRequest('The request body must be a JSON object.');
      }
      const grantType = (body as { grant_type?: unknown }).grant_type;
      if (grantType === undefined) throw invalidRequest('grant_type is required.');
      if (grantType !== 'client_credentials') {
        throw new HttpError({
          status: 400,
          body: oauthError('unsupported_grant_type', 'Use grant_type client_credentials.'),
        });
      }
      const parsed = requestSchema.safeParse(body);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
        throw invalidRequest(`Missing or invalid field: ${fields}.`);
      }
      const { client_id, client_secret, account_id, scope } = parsed.data;
      const auth = platform.authenticate(
        client_id,
        client_secret,
        account_id === undefined ? undefined : String(account_id),
      );
      if (!auth.ok) return { status: 401, body: oauthError('invalid_client', auth.reason) };
      const token = platform.issueToken(auth.pkg);
      const instance = `${baseUrl()}/`;
      return {
        status: 200,
        body: {
          access_token: token.accessToken,
          token_type: 'Bearer',
          expires_in: token.expiresIn,
          scope: scope ?? DEFAULT_SCOPE,
          rest_instance_url: instance,
          soap_instance_url: instance,
        },
      };
    },
  };
}
