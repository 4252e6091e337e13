// The Marketing Cloud emulator over real HTTP: the token endpoint, the
// management contract v1 and the seven platform rules. Time is driven by a
// hand clock with the real 5-minute window, so nothing here waits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  MarketingCloudEmulator,
  MC_ROUTES,
  PlatformRuleError,
  rateLimited,
  restError,
} from './marketing-cloud/index.ts';
import { responseErrors } from './marketing-cloud/openapi.ts';
import {
  credentials,
  type ManualClock,
  manage,
  requestToken,
  startTenant,
  tokenFor,
  tokenStatus,
} from './marketing-cloud/testing.ts';

const WINDOW = 300_000;
const DAY = 86_400_000;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

let clock: ManualClock;
let mc: MarketingCloudEmulator;
let admin: { clientId: string; clientSecret: string };
let pkg: { clientId: string; clientSecret: string };
let adminToken: string;

beforeEach(async () => {
  ({ clock, mc, admin, pkg, adminToken } = await startTenant({ seed: 1 }));
});

afterEach(async () => {
  await mc.stop();
});

function expectRestError(res: { status: number; body: unknown }, status: number, errorcode: number): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ message: expect.any(String), errorcode, documentation: expect.any(String) });
}

describe('token endpoint', () => {
  it('issues a bearer token with the instance URLs (trailing slash)', async () => {
    const res = await requestToken(mc, credentials(pkg.clientId, pkg.clientSecret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9]{64}$/),
      token_type: 'Bearer',
      expires_in: 1080,
      scope: expect.any(String),
      rest_instance_url: `${mc.url}/`,
      soap_instance_url: `${mc.url}/`,
    });
    expect(mc.tokenUrl).toBe(`${mc.url}/v2/token`);
    const scoped = await requestToken(
      mc,
      credentials(pkg.clientId, pkg.clientSecret, { scope: 'email_read' }),
    );
    expect(scoped.body.scope).toBe('email_read');
  });

  it('answers malformed requests with 400 and the OAuth error shape', async () => {
    const cases: Array<[Record<string, unknown> | string, string]> = [
      ['not json', 'invalid_request'],
      ['', 'invalid_request'],
      ['[1]', 'invalid_request'],
      [{ client_id: pkg.clientId, client_secret: pkg.clientSecret }, 'invalid_request'],
      [{ ...credentials(pkg.clientId, pkg.clientSecret), grant_type: 'password' }, 'unsupported_grant_type'],
      [{ grant_type: 'client_credentials', client_id: pkg.clientId }, 'invalid_request'],
      [{ grant_type: 'client_credentials', client_secret: pkg.clientSecret }, 'invalid_request'],
      [{ ...credentials(pkg.clientId, ''), client_secret: 42 }, 'invalid_request'],
    ];
    for (const [body, error] of cases) {
      const res = await requestToken(mc, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({
        error,
        error_description: expect.any(String),
        error_uri: expect.any(String),
      });
    }
  });

  it('answers an unknown client or a wrong secret with 401 invalid_client', async () => {
    for (const body of [credentials('nosuchclient', pkg.clientSecret), credentials(pkg.clientId, 'wrong')]) {
      const res = await requestToken(mc, body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'invalid_client',
        error_description: expect.any(String),
        error_uri: expect.any(String),
      });
    }
    expect(mc.accepts(pkg.clientId, 'wrong')).toBe(false);
    expect(mc.accepts('nosuchclient', pkg.clientSecret)).toBe(false);
  });

  it('checks account_id against the account the package is installed in', async () => {
    const tenant = mc.addTenant({ accountId: '510000123' });
    const own = mc.addPackage({ tenant });
    const bu = mc.addPackage({ tenant, accountId: '510000999' });
    const ok = (id: string, secret: string, account: unknown) =>
      requestToken(mc, credentials(id, secret, { account_id: account })).then((r) => r.status);
    expect(await ok(own.clientId, own.clientSecret, '510000123')).toBe(200);
    expect(await ok(own.clientId, own.clientSecret, 510000123)).toBe(200);
    expect(await ok(own.clientId, own.clientSecret, '510000999')).toBe(401);
    expect(await ok(bu.clientId, bu.clientSecret, '510000999')).toBe(200);
    expect(await ok(bu.clientId, bu.clientSecret, '510000123')).toBe(401);
  });

  it('keeps an access token valid for its lifetime after its secret is disabled', async () => {
    // The admin package rotates its own secret with a token obtained by the old one.
    expect((await manage(mc, adminToken, 'stage', admin.clientId)).status).toBe(201);
    clock.advance(WINDOW);
    expect((await manage(mc, adminToken, 'activate', admin.clientId)).status).toBe(200);
    expect(mc.accepts(admin.clientId, admin.clientSecret)).toBe(false);
    expect((await manage(mc, adminToken, 'status', admin.clientId)).status).toBe(200);
    clock.advance(1080 * 1000 - WINDOW - 1);
    expect((await manage(mc, adminToken, 'status', admin.clientId)).status).toBe(200);
    clock.advance(1);
    expectRestError(await manage(mc, adminToken, 'status', admin.clientId), 401, ERROR_CODES.notAuthorized);
  });
});

describe('management API access', () => {
  it('answers 401 for a missing, unknown or expired bearer token', async () => {
    expectRestError(await manage(mc, undefined, 'status', pkg.clientId), 401, ERROR_CODES.notAuthorized);
    expectRestError(await manage(mc, 'not-a-token', 'status', pkg.clientId), 401, ERROR_CODES.notAuthorized);
    clock.advance(1080 * 1000);
    expectRestError(await manage(mc, adminToken, 'status', pkg.clientId), 401, ERROR_CODES.notAuthorized);
  });

  it('answers 403 to a package without Admin rights, even about itself', async () => {
    const own = await tokenFor(mc, pkg.clientId, pkg.clientSecret);
    expectRestError(await manage(mc, own, 'status', pkg.clientId), 403, ERROR_CODES.forbidden);
    expectRestError(await manage(mc, own, 'stage', pkg.clientId), 403, ERROR_CODES.forbidden);
    expect(mc.history(pkg.clientId)).toEqual([]);
  });

  it('answers 404 for an unknown client id or a package of another tenant', async () => {
    expectRestError(await manage(mc, adminToken, 'status', 'nosuchclient'), 404, ERROR_CODES.notFound);
    const other = mc.addPackage({ tenant: mc.addTenant() });
    expectRestError(await manage(mc, adminToken, 'status', other.clientId), 404, ERROR_CODES.notFound);
    expectRestError(await manage(mc, adminToken, 'stage', other.clientId), 404, ERROR_CODES.notFound);
    expect(mc.history(other.clientId)).toEqual([]);
  });

  it('answers 400 for a malformed body', async () => {
    expectRestError(await manage(mc, adminToken, 'stage', pkg.clientId, 'nope'), 400, ERROR_CODES.badRequest);
    expectRestError(
      await manage(mc, adminToken, 'stage', pkg.clientId, { description: 7 }),
      400,
      ERROR_CODES.badRequest,
    );
    expectRestError(
      await manage(mc, adminToken, 'activate', pkg.clientId, '[]'),
      400,
      ERROR_CODES.badRequest,
    );
    expect(mc.history(pkg.clientId)).toEqual([]);
  });

  it('answers status with the contract shape', async () => {
    const res = await manage(mc, adminToken, 'status', pkg.clientId);
    expect(res.status).toBe(200);
    const now = clock.now();
    expect(res.body).toEqual({
      clientId: pkg.clientId,
      active: { createdAt: new Date(now).toISOString(), expiresAt: new Date(now + 180 * DAY).toISOString() },
      staged: null,
      lastGeneratedAt: null,
      lastActivatedAt: null,
    });
    expect(mc.statusOf(pkg.clientId)).toEqual(res.body);
  });
});

describe('platform rules', () => {
  it('rule 1: generate and stage, update consumers, then activate', async () => {
    const t0 = clock.now();
    const staged = await manage(mc, adminToken, 'stage', pkg.clientId, { description: 'q3 rotation' });
    expect(staged.status).toBe(201);
    expect(staged.body).toEqual({
      clientSecret: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
      createdAt: new Date(t0).toISOString(),
      usableAt: new Date(t0 + WINDOW).toISOString(),
      expiresAt: new Date(t0 + 180 * DAY).toISOString(),
    });
    const next: string = staged.body.clientSecret;
    expect(mc.knownSecrets()).toContain(next);
    expect(mc.statusOf(pkg.clientId)).toMatchObject({
      staged: { description: 'q3 rotation', usableAt: new Date(t0 + WINDOW).toISOString() },
      lastGeneratedAt: new Date(t0).toISOString(),
    });

    clock.advance(WINDOW);
    expect(await tokenStatus(mc, pkg.clientId, next)).toBe(200);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(200);

    const activated = await manage(mc, adminToken, 'activate', pkg.clientId);
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({
      activatedAt: new Date(t0 + WINDOW).toISOString(),
      expiresAt: new Date(t0 + 180 * DAY).toISOString(),
    });
    expect(activated.body.activatedAt).toMatch(RFC3339);
    expect(await tokenStatus(mc, pkg.clientId, next)).toBe(200);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(401);
    expect(mc.statusOf(pkg.clientId)).toEqual({
      clientId: pkg.clientId,
      active: { createdAt: new Date(t0).toISOString(), expiresAt: new Date(t0 + 180 * DAY).toISOString() },
      staged: null,
      lastGeneratedAt: new Date(t0).toISOString(),
      lastActivatedAt: new Date(t0 + WINDOW).toISOString(),
    });
    expect(mc.history(pkg.clientId)).toEqual([
      { type: 'generated', at: t0 },
      { type: 'activated', at: t0 + WINDOW },
    ]);
  });

  it('rule 2: at most one generation per window, with Retry-After rounded up', async () => {
    expect((await manage(mc, adminToken, 'stage', pkg.clientId)).status).toBe(201);
    const again = await manage(mc, adminToken, 'stage', pkg.clientId);
    expectRestError(again, 429, ERROR_CODES.tooSoon);
    expect(again.headers.get('retry-after')).toBe('300');
    clock.advance(100_001);
    expect((await manage(mc, adminToken, 'stage', pkg.clientId)).headers.get('retry-after')).toBe('200');
    clock.advance(WINDOW - 100_001 - 1);
    expect((await manage(mc, adminToken, 'stage', pkg.clientId)).headers.get('retry-after')).toBe('1');
    expect(() => mc.setupGenerate(pkg.clientId)).toThrow(PlatformRuleError);
    clock.advance(1);
    expect((await manage(mc, adminToken, 'stage', pkg.clientId)).status).toBe(201);
    expect(mc.history(pkg.clientId).map((h) => h.type)).toEqual(['generated', 'generated']);
  });

  it('rule 3: generating again replaces a never-activated staged secret for ever', async () => {
    const first: string = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret;
    clock.advance(WINDOW);
    expect(await tokenStatus(mc, pkg.clientId, first)).toBe(200);
    const second: string = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret;
    expect(await tokenStatus(mc, pkg.clientId, first)).toBe(401);
    expect(await tokenStatus(mc, pkg.clientId, second)).toBe(401);
    clock.advance(WINDOW);
    expect(await tokenStatus(mc, pkg.clientId, first)).toBe(401);
    expect(await tokenStatus(mc, pkg.clientId, second)).toBe(200);
    expect((await manage(mc, adminToken, 'activate', pkg.clientId)).status).toBe(200);
    expect(mc.accepts(pkg.clientId, second)).toBe(true);
    expect(mc.accepts(pkg.clientId, first)).toBe(false);
  });

  it('rule 4: a staged secret is usable only after the window; then both are accepted', async () => {
    const staged = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret as string;
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(401);
    clock.advance(WINDOW - 1);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(401);
    expectRestError(await manage(mc, adminToken, 'activate', pkg.clientId), 425, ERROR_CODES.notUsable);
    expect(() => mc.setupActivate(pkg.clientId)).toThrow(PlatformRuleError);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(200);
    clock.advance(1);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(200);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(200);
    expect(mc.history(pkg.clientId).map((h) => h.type)).toEqual(['generated']);
  });

  it('a slow platform: delayUsable holds a staged secret back from now on, and reports it in status', async () => {
    expect(() => mc.delayUsable(pkg.clientId, 1)).toThrow(/no staged secret/);
    const staged = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret as string;
    clock.advance(WINDOW);
    mc.delayUsable(pkg.clientId, 10_000);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(401);
    const status = await manage(mc, adminToken, 'status', pkg.clientId);
    expect(Date.parse(status.body.staged.usableAt)).toBe(clock.now() + 10_000);
    expectRestError(await manage(mc, adminToken, 'activate', pkg.clientId), 425, ERROR_CODES.notUsable);
    clock.advance(10_000);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(200);
  });

  it('rule 5: activation disables the previous secret for ever; one activation per window', async () => {
    expectRestError(await manage(mc, adminToken, 'activate', pkg.clientId), 409, ERROR_CODES.nothingStaged);
    const second = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret as string;
    clock.advance(WINDOW);
    expect((await manage(mc, adminToken, 'activate', pkg.clientId, '')).status).toBe(200);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(401);
    expectRestError(await manage(mc, adminToken, 'activate', pkg.clientId), 409, ERROR_CODES.nothingStaged);

    // The generation window has passed, the activation window has not.
    const third = mc.setupGenerate(pkg.clientId).clientSecret;
    clock.advance(60_000);
    const tooSoon = await manage(mc, adminToken, 'activate', pkg.clientId);
    expectRestError(tooSoon, 429, ERROR_CODES.tooSoon);
    expect(tooSoon.headers.get('retry-after')).toBe('240');
    clock.advance(240_000);
    mc.setupActivate(pkg.clientId);
    expect(mc.accepts(pkg.clientId, third)).toBe(true);
    expect(mc.accepts(pkg.clientId, second)).toBe(false);
    clock.advance(30 * DAY);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(401);
    expect(await tokenStatus(mc, pkg.clientId, second)).toBe(401);
  });

  it('rule 6: the plaintext is returned once, at generation; status never shows it', async () => {
    const staged = await manage(mc, adminToken, 'stage', pkg.clientId);
    expect(staged.body.clientSecret).toMatch(/^[A-Za-z0-9]{24}$/);
    const status = await manage(mc, adminToken, 'status', pkg.clientId);
    const text = JSON.stringify([status.body, mc.statusOf(pkg.clientId)]);
    for (const secret of mc.knownSecrets()) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/secret"\s*:/i);
  });

  it('rule 7: secrets expire after expiryDays', async () => {
    const old = mc.addPackage({ activeCreatedAt: new Date(clock.now() - 180 * DAY + 1000) });
    expect(await tokenStatus(mc, old.clientId, old.clientSecret)).toBe(200);
    clock.advance(1000);
    expect(await tokenStatus(mc, old.clientId, old.clientSecret)).toBe(401);
    expect(mc.statusOf(old.clientId)).toMatchObject({
      active: { expiresAt: new Date(clock.now()).toISOString() },
    });
  });

  it('rule 7: fractional expiryDays, and a staged secret that expired cannot be activated', async () => {
    const short = await MarketingCloudEmulator.start({ now: clock.now, expiryDays: 0.01 });
    try {
      const a = short.addPackage();
      const staged = short.setupGenerate(a.clientId).clientSecret;
      clock.advance(0.01 * DAY - 1);
      expect(short.accepts(a.clientId, staged)).toBe(true);
      clock.advance(1);
      expect(short.accepts(a.clientId, staged)).toBe(false);
      expect(short.accepts(a.clientId, a.clientSecret)).toBe(false);
      expect(() => short.setupActivate(a.clientId)).toThrow(/expired/);
    } finally {
      await short.stop();
    }
  });

  it('rule 7: a revoked active or staged secret stops working at once', async () => {
    const staged = (await manage(mc, adminToken, 'stage', pkg.clientId)).body.clientSecret as string;
    clock.advance(WINDOW);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(200);
    mc.revoke(pkg.clientId, staged);
    expect(await tokenStatus(mc, pkg.clientId, staged)).toBe(401);
    expect(mc.statusOf(pkg.clientId)).toMatchObject({ staged: null });
    expectRestError(await manage(mc, adminToken, 'activate', pkg.clientId), 409, ERROR_CODES.nothingStaged);

    mc.revoke(pkg.clientId, pkg.clientSecret);
    expect(await tokenStatus(mc, pkg.clientId, pkg.clientSecret)).toBe(401);
    expect(() => mc.revoke(pkg.clientId, pkg.clientSecret)).toThrow(/neither/);
    expect(mc.history(pkg.clientId).map((h) => h.type)).toEqual(['generated', 'revoked', 'revoked']);

    // Recovery goes through a new rotation.
    const fresh = mc.setupGenerate(pkg.clientId).clientSecret;
    clock.advance(WINDOW);
    mc.setupActivate(pkg.clientId);
    expect(await tokenStatus(mc, pkg.clientId, fresh)).toBe(200);
  });
});

describe('real time', () => {
  it('uses Date.now by default with a millisecond window', async () => {
    const live = await MarketingCloudEmulator.start({ windowMs: 150 });
    try {
      const a = live.addPackage({ admin: true });
      const token = await tokenFor(live, a.clientId, a.clientSecret);
      const staged = await manage(live, token, 'stage', a.clientId);
      expect(Date.parse(staged.body.usableAt) - Date.parse(staged.body.createdAt)).toBe(150);
      expect(await tokenStatus(live, a.clientId, staged.body.clientSecret)).toBe(401);
      const tooSoon = await manage(live, token, 'stage', a.clientId);
      expect(tooSoon.headers.get('retry-after')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, Date.parse(staged.body.usableAt) - Date.now() + 5));
      expect(await tokenStatus(live, a.clientId, staged.body.clientSecret)).toBe(200);
      expect((await manage(live, token, 'activate', a.clientId)).status).toBe(200);
    } finally {
      await live.stop();
    }
  });

  it('repeats generated values for a seed', async () => {
    const values = async () => {
      const e = await MarketingCloudEmulator.start({ seed: 99 });
      try {
        const a = e.addPackage();
        return [a.clientId, a.clientSecret, e.setupGenerate(a.clientId).clientSecret];
      } finally {
        await e.stop();
      }
    };
    const first = await values();
    expect(await values()).toEqual(first);
    expect(first[0]).toMatch(/^[a-z0-9]{24}$/);
    expect(new Set(first).size).toBe(3);
  });
});

describe('the published contract (docs/management-api.openapi.yaml)', () => {
  const statusPath = '/platform/v1/oauth/clients/abcdefgh1/secrets';
  const statusReply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    responseErrors({ method: 'GET', pathname: statusPath, status, headers, body });

  it("checks the emulator's replies against the document", async () => {
    const status = await manage(mc, adminToken, 'status', pkg.clientId);
    expect(statusReply(status.status, status.body)).toEqual([]);
    expect(mc.validationFailures).toEqual([]);
  });

  it('rejects replies the contract does not allow', () => {
    const active = { createdAt: '2026-03-01T00:00:00Z', expiresAt: '2026-08-28T00:00:00Z' };
    const valid = {
      clientId: 'abcdefgh1',
      active,
      staged: null,
      lastGeneratedAt: null,
      lastActivatedAt: null,
    };
    expect(statusReply(200, valid)).toEqual([]);
    expect(statusReply(200, { ...valid, active: { createdAt: '2026-03-01' } })).toEqual([
      "body/active must have required property 'expiresAt'",
      'body/active/createdAt must match format "date-time"',
    ]);
    expect(statusReply(200, '<html></html>')).toEqual(['body is not JSON']);
    expect(statusReply(404, { message: 'Not Found' })).toContain(
      "body must have required property 'errorcode'",
    );
    expect(statusReply(404, restError('Not found', 404))).toContain(
      'body/errorcode must be equal to constant',
    );
    expect(statusReply(409, restError('x', ERROR_CODES.nothingStaged))).toEqual([
      'status 409 is not a reply of status',
    ]);
    expect(statusReply(429, restError('Rate limit exceeded', ERROR_CODES.throttled))).toEqual([
      'errorcode 50100 needs Retry-After',
    ]);
    expect(statusReply(429, restError('Blocked', ERROR_CODES.blocked), { 'retry-after': '5' })).toEqual([
      'errorcode 50200 carries no Retry-After',
    ]);
  });

  it('makes stop() fail when a reply broke the contract', async () => {
    const other = await MarketingCloudEmulator.start();
    other.validationFailures.push({ route: MC_ROUTES.status, status: 200, errors: ['body/active missing'] });
    await expect(other.stop()).rejects.toThrow(
      /broke docs\/management-api.openapi.yaml.*body\/active missing/,
    );
  });
});

describe("Salesforce's rate limiting (errorcode 50100 with Retry-After, 50200 without)", () => {
  it('answers the token endpoint and the management API with either, in the documented shape', async () => {
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: rateLimited(50100) });
    mc.server.faults.inject({ route: MC_ROUTES.status, mode: rateLimited(50200) });
    mc.server.faults.inject({ route: MC_ROUTES.status, mode: rateLimited(50100) });

    const token = await requestToken(mc, credentials(admin.clientId, admin.clientSecret));
    expect(token.status).toBe(429);
    expect(token.headers.get('retry-after')).toBe('5');
    expect(token.body).toEqual({ ...restError('Rate limit exceeded', 50100), retryAfter: 5 });

    for (const [errorcode, retryAfter] of [
      [50200, null],
      [50100, '5'],
    ] as const) {
      const res = await manage(mc, adminToken, 'status', pkg.clientId);
      expect(res.status).toBe(429);
      expect(res.body.errorcode).toBe(errorcode);
      expect(res.headers.get('retry-after')).toBe(retryAfter);
      const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': retryAfter };
      expect(
        responseErrors({
          method: 'GET',
          pathname: `/platform/v1/oauth/clients/${pkg.clientId}/secrets`,
          status: 429,
          headers,
          body: res.body,
        }),
      ).toEqual([]);
    }
  });
});

describe('a tenant without a management API (managementApi: false)', () => {
  it('issues tokens and answers every management path 404, outside the contract', async () => {
    const bare = await MarketingCloudEmulator.start({ managementApi: false });
    try {
      const p = bare.addPackage({ admin: true });
      const token = await tokenFor(bare, p.clientId, p.clientSecret);
      for (const call of ['status', 'stage', 'activate'] as const) {
        const res = await manage(bare, token, call, p.clientId);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'Not Found' });
      }
    } finally {
      await bare.stop();
    }
  });
});
