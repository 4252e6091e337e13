// Test helpers for the emulator's own tests: a hand-driven clock and thin
// fetch wrappers that return status, headers and parsed JSON.
import { MarketingCloudEmulator } from './index.ts';

export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-03-01T00:00:00.000Z')): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  body: any;
}

async function toJson(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** POST /v2/token; a string body is sent as is (to test malformed requests). */
export async function requestToken(
  mc: MarketingCloudEmulator,
  body: Record<string, unknown> | string,
): Promise<JsonResponse> {
  return toJson(
    await fetch(mc.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** A client-credentials token request body. */
export function credentials(clientId: string, secret: string, extra: Record<string, unknown> = {}) {
  return { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...extra };
}

/** The status of a token request: 200 when Marketing Cloud accepts the secret, 401 when not. */
export async function tokenStatus(
  mc: MarketingCloudEmulator,
  clientId: string,
  secret: string,
): Promise<number> {
  return (await requestToken(mc, credentials(clientId, secret))).status;
}

export async function tokenFor(
  mc: MarketingCloudEmulator,
  clientId: string,
  secret: string,
): Promise<string> {
  const res = await requestToken(mc, credentials(clientId, secret));
  if (res.status !== 200) throw new Error(`token request failed with ${res.status}`);
  return res.body.access_token;
}

/** A management-API call: `status`, `stage` or `activate` for a client id. */
export async function manage(
  mc: MarketingCloudEmulator,
  token: string | undefined,
  call: 'status' | 'stage' | 'activate',
  clientId: string,
  body?: unknown,
): Promise<JsonResponse> {
  const path = { status: '', stage: '/staged', activate: '/staged/activate' }[call];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const defaultBody = { status: undefined, stage: { description: 'rotation' }, activate: {} }[call];
  const payload = body ?? defaultBody;
  return toJson(
    await fetch(`${mc.url}/platform/v1/oauth/clients/${encodeURIComponent(clientId)}/secrets${path}`, {
      method: call === 'status' ? 'GET' : 'POST',
      headers,
      body:
        payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
    }),
  );
}

export interface Tenant {
  clock: ManualClock;
  mc: MarketingCloudEmulator;
  admin: { clientId: string; clientSecret: string };
  pkg: { clientId: string; clientSecret: string };
  adminToken: string;
}

/** An emulator on a hand-driven clock with an Admin package, a plain package and the Admin's token. */
export async function startTenant(options: { seed?: number } = {}): Promise<Tenant> {
  const clock = manualClock();
  const mc = await MarketingCloudEmulator.start({ now: clock.now, ...options });
  const admin = mc.addPackage({ admin: true });
  const pkg = mc.addPackage();
  return { clock, mc, admin, pkg, adminToken: await tokenFor(mc, admin.clientId, admin.clientSecret) };
}
