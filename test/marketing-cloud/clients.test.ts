// The Marketing Cloud adapters (token client, management client) against the
// Marketing Cloud emulator over loopback HTTP, with faults injected per route.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketingCloudError } from '../../src/errors.ts';
import {
  createManagementClient,
  type ManagementClientOptions,
} from '../../src/marketing-cloud/management-client.ts';
import { TokenClient, type TokenClientOptions } from '../../src/marketing-cloud/token-client.ts';
import { type RetryInfo, type RetryPolicy, realSleep } from '../../src/retry.ts';
import { NothingStagedError } from '../../src/rotation/ports.ts';
import {
  ERROR_CODES,
  MarketingCloudEmulator,
  type MarketingCloudOptions,
  MC_ROUTES,
  rateLimited,
  restError,
} from '../emulators/marketing-cloud/index.ts';
import { requestErrors } from '../emulators/marketing-cloud/openapi.ts';
import { manualClock } from '../emulators/marketing-cloud/testing.ts';

const policy: RetryPolicy = { attempts: 4, baseMs: 1, maxMs: 4, maxRetryAfterMs: 5_000 };

let emulators: MarketingCloudEmulator[] = [];

afterEach(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  emulators = [];
});

async function startMc(options: MarketingCloudOptions = {}): Promise<MarketingCloudEmulator> {
  const mc = await MarketingCloudEmulator.start({ windowMs: 300, ...options });
  emulators.push(mc);
  return mc;
}

/** A sleep that records what it was asked and, unless `real`, returns at once. */
function recordingSleep(real = false) {
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    if (real) await realSleep(ms);
  };
  return { slept, sleep };
}

function tokenClient(mc: MarketingCloudEmulator, extra: Partial<TokenClientOptions> = {}) {
  const { slept, sleep } = recordingSleep();
  const retries: RetryInfo[] = [];
  const client = new TokenClient({
    tokenUrl: mc.tokenUrl,
    sleep,
    policy,
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...extra,
  });
  return { client, slept, retries };
}

/** An admin package, a package to rotate, and both clients wired as main.ts does. */
async function managementSetup(
  options: MarketingCloudOptions & { realSleep?: boolean } = {},
  extra: Partial<ManagementClientOptions> = {},
) {
  const mc = await startMc(options);
  const admin = mc.addPackage({ admin: true });
  const target = mc.addPackage();
  const { slept, sleep } = recordingSleep(options.realSleep);
  const retries: RetryInfo[] = [];
  const onRetry = (info: RetryInfo) => retries.push(info);
  const tokens = new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy, onRetry });
  const management = createManagementClient({
    tokens,
    adminCredential: () => admin,
    baseUrl: mc.url,
    clientId: target.clientId,
    sleep,
    policy,
    random: () => 0.5,
    onRetry,
    ...extra,
  });
  return { mc, admin, target, tokens, management, slept, retries };
}

const count = (mc: MarketingCloudEmulator, route: string) =>
  mc.server.log.filter((e) => e.route === route).length;

async function rejection(promise: Promise<unknown>): Promise<MarketingCloudError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarketingCloudError);
  return error as MarketingCloudError;
}

/** Everything an error exposes: message, stack, enumerable fields. */
function exposed(error: unknown): string {
  const e = error as Error;
  return `${e.message}\n${e.stack}\n${JSON.stringify(e)}`;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('TokenClient', () => {
  it('requests one token per credential and reuses it, also for concurrent callers', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client } = tokenClient(mc);
    const port = client.portFor(pkg.clientId);

    const checks = await Promise.all([port.check(pkg.clientSecret), port.check(pkg.clientSecret)]);
    for (let i = 0; i < 5; i++) checks.push(await port.check(pkg.clientSecret));
    const a = await client.token(pkg);
    const b = await client.token(pkg);

    expect(checks).toEqual(Array(7).fill({ accepted: true }));
    expect(b).toEqual(a);
    expect(a.restInstanceUrl).toBe(`${mc.url}/`);
    expect(a.expiresAt).toBeGreaterThan(Date.now() + 1_000_000);
    expect(count(mc, MC_ROUTES.token)).toBe(1);
  });

  it('fresh bypasses the cache and replaces the cached token', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client } = tokenClient(mc);

    const first = await client.token(pkg);
    const fresh = await client.token(pkg, { fresh: true });
    await client.portFor(pkg.clientId).check(pkg.clientSecret, { fresh: true });
    const after = await client.token(pkg);

    expect(fresh.accessToken).not.toBe(first.accessToken);
    expect(after.accessToken).not.toBe(fresh.accessToken);
    expect(await client.token(pkg)).toEqual(after);
    expect(count(mc, MC_ROUTES.token)).toBe(3);
  });

  it('asks for a new token shortly before the cached one expires', async () => {
    const mc = await startMc({ tokenTtlSeconds: 600 });
    const pkg = mc.addPackage();
    let now = Date.now();
    const { client } = tokenClient(mc, { now: () => now });

    await client.token(pkg);
    now += 530_000; // more than 10 minutes less the one-minute margin
    await client.token(pkg);
    expect(count(mc, MC_ROUTES.token)).toBe(1);
    now += 20_000;
    await client.token(pkg);
    expect(count(mc, MC_ROUTES.token)).toBe(2);
  });

  it('keeps tokens of different secrets of one client apart', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client } = tokenClient(mc);
    const port = client.portFor(pkg.clientId);

    expect(await port.check(pkg.clientSecret)).toEqual({ accepted: true });
    expect(await port.check('not-the-secret')).toMatchObject({ accepted: false });
    expect(count(mc, MC_ROUTES.token)).toBe(2);
  });

  it('reports a 401 as rejected without retrying and without the secret in the reason', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept, retries } = tokenClient(mc);
    const wrong = 'wrong-secret-value-1234';

    const check = await client.portFor(pkg.clientId).check(wrong);
    expect(check).toEqual({ accepted: false, reason: expect.stringContaining('401 invalid_client') });

    // A server that quotes the secret back does not get it into the reason.
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: {
        kind: 'status',
        status: 401,
        body: { error: 'invalid_client', error_description: `bad ${wrong}` },
      },
    });
    const echoed = await client.portFor(pkg.clientId).check(wrong);
    expect(echoed).toEqual({ accepted: false, reason: '401 invalid_client: bad [REDACTED]' });

    const error = await rejection(client.token({ clientId: pkg.clientId, clientSecret: wrong }));
    expect(error.status).toBe(401);
    expect(error.subject).toBe('client-secret');
    expect(error.message).toContain(pkg.clientId);
    expect(exposed(error)).not.toContain(wrong);

    expect(count(mc, MC_ROUTES.token)).toBe(3);
    expect(slept).toEqual([]);
    expect(retries).toEqual([]);
  });

  it('sends account_id when given', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage({ accountId: '500012345' });
    const right = tokenClient(mc, { accountId: '500012345' }).client.portFor(pkg.clientId);
    const wrong = tokenClient(mc, { accountId: '599999999' }).client.portFor(pkg.clientId);

    expect(await right.check(pkg.clientSecret)).toEqual({ accepted: true });
    expect(await wrong.check(pkg.clientSecret)).toEqual({
      accepted: false,
      reason: expect.stringContaining('not installed in that account'),
    });
  });

  it('throws on a 400 without retrying, naming the token URL inputs', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept } = tokenClient(mc);
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: {
        kind: 'status',
        status: 400,
        body: { error: 'invalid_request', error_description: `account_id ${pkg.clientSecret} unknown` },
      },
    });

    const error = await rejection(client.portFor(pkg.clientId).check(pkg.clientSecret));
    expect(error.status).toBe(400);
    expect(error.subject).toBe('auth-url');
    expect(error.message).toMatch(
      /400 invalid_request: account_id \[REDACTED\] unknown.*auth-url.*account-id/,
    );
    expect(exposed(error)).not.toContain(pkg.clientSecret);
    expect(count(mc, MC_ROUTES.token)).toBe(1);
    expect(slept).toEqual([]);
  });

  it('waits at least the Retry-After of a 429, then succeeds', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept, retries } = tokenClient(mc);
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'status', status: 429, retryAfter: 2 } });

    expect(await client.portFor(pkg.clientId).check(pkg.clientSecret)).toEqual({ accepted: true });
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(2000);
    expect(retries).toEqual([
      { route: 'POST /v2/token', attempt: 1, delayMs: slept[0], reason: 'status 429' },
    ]);
    expect(count(mc, MC_ROUTES.token)).toBe(2);
  });

  it('retries 5xx and a reset connection, then succeeds', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept, retries } = tokenClient(mc);
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'status', status: 503 } });
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'reset' } });

    const token = await client.token(pkg);
    expect(token.accessToken).toMatch(/\w{20,}/);
    expect(retries.map((r) => r.reason)).toEqual(['status 503', expect.stringMatching(/^[A-Z_]+$/)]);
    expect(slept).toHaveLength(2);
    expect(count(mc, MC_ROUTES.token)).toBe(3);
  });

  it('abandons an attempt that takes longer than the timeout and tries again', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    // The first answer never comes (held until the test ends); the limit is long enough for the second
    // to arrive on a loaded machine, so only the first attempt can time out.
    const { client, retries } = tokenClient(mc, { timeoutMs: 2000 });
    let release = (): void => {};
    const stalled = new Promise<void>((done) => {
      release = done;
    });
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'hold', until: stalled } });

    try {
      expect(await client.portFor(pkg.clientId).check(pkg.clientSecret)).toEqual({ accepted: true });
      expect(retries.map((r) => r.reason)).toEqual(['timeout']);
    } finally {
      release();
    }
  });

  it('gives up after the policy attempts with a clear error', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept } = tokenClient(mc);
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'status', status: 500 }, times: 4 });

    const error = await rejection(client.token(pkg));
    expect(error.status).toBe(500);
    expect(error.message).toContain('kept failing (status 500 on all 4 attempts)');
    expect(count(mc, MC_ROUTES.token)).toBe(4);
    expect(slept).toHaveLength(3);
    // The failure is not cached: the next call asks again.
    expect(await client.token(pkg)).toMatchObject({ restInstanceUrl: `${mc.url}/` });
  });

  it('fails at once when Retry-After is longer than the policy allows', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client, slept } = tokenClient(mc);
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: { kind: 'status', status: 429, retryAfter: 60 },
    });

    const error = await rejection(client.token(pkg));
    expect(error.message).toContain('status 429 asking to wait 60 s, longer than the 5 s this run allows');
    expect(slept).toEqual([]);
  });

  it('says the token URL cannot be reached when connections keep failing', async () => {
    const url = await closedPortUrl();
    const { slept, sleep } = recordingSleep();
    const client = new TokenClient({ tokenUrl: `${url}/v2/token`, sleep, policy });

    const error = await rejection(client.portFor('some-client').check('some-secret'));
    expect(error.subject).toBe('auth-url');
    expect(error.message).toContain(
      `The token URL ${url}/v2/token cannot be reached (ECONNREFUSED on all 4 attempts)`,
    );
    expect(error.message).toContain('subdomain / auth-url');
    expect(slept).toHaveLength(3);
  });

  it('says a 200 that is not a token (HTML, wrong JSON) comes from the wrong URL', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client } = tokenClient(mc);
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: {
        kind: 'status',
        status: 200,
        body: `<html>${pkg.clientSecret}</html>`,
        headers: { 'content-type': 'text/html' },
      },
    });
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: { kind: 'status', status: 200, body: { hello: 'x' } },
    });

    const html = await rejection(client.token(pkg));
    expect(html.message).toContain(
      'answered 200 but not with a Marketing Cloud token ((root): expected object)',
    );
    expect(exposed(html)).not.toContain(pkg.clientSecret);
    const json = await rejection(client.token(pkg));
    expect(json.message).toMatch(/access_token: expected string; expires_in: expected number.*auth-url/);
    expect(count(mc, MC_ROUTES.token)).toBe(2);
  });

  it('hands each access token to mask the moment it arrives', async () => {
    const mc = await startMc();
    const [a, b] = [mc.addPackage(), mc.addPackage({ admin: true })];
    const masked: string[] = [];
    const { client } = tokenClient(mc, { mask: (token) => masked.push(token) });
    const tokens = [await client.token(a), await client.token(b), await client.token(a, { fresh: true })];
    expect(masked).toEqual(tokens.map((t) => t.accessToken));
  });

  it.each([
    ['http on a public host', 'http://mc.example.com/', 'using http'],
    ['file:', 'file:///etc/passwd', 'using file'],
    ['javascript:', 'javascript:alert(1)', 'using javascript'],
    ['credentials', 'https://user:pw@mc.example.com/', 'with credentials'],
  ])('refuses a rest_instance_url with %s, naming only its scheme', async (_, url, what) => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const masked: string[] = [];
    const { client } = tokenClient(mc, { mask: (token) => masked.push(token) });
    const body = { access_token: 'tok-1234567890', expires_in: 1080, rest_instance_url: url };
    mc.server.faults.inject({ route: MC_ROUTES.token, mode: { kind: 'status', status: 200, body } });

    const error = await rejection(client.token(pkg));
    expect(error.message).toContain(`answered with a rest_instance_url ${what}; it must be https`);
    expect(error.message).not.toContain(url);
    expect(masked).toEqual(['tok-1234567890']);
  });

  it('does not follow a redirect with the secret in the body', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage();
    const { client } = tokenClient(mc);
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: { kind: 'status', status: 307, headers: { location: mc.tokenUrl } },
    });

    const error = await rejection(client.token(pkg));
    expect(error.status).toBe(307);
    expect(count(mc, MC_ROUTES.token)).toBe(1);
  });
});

describe('management client', () => {
  it('stages, reports and activates a secret, with one admin token for all calls', async () => {
    const { mc, target, management, slept } = await managementSetup();

    const before = await management.status();
    expect(before).toMatchObject({ clientId: target.clientId, staged: null, lastGeneratedAt: null });
    expect(before.active.expiresAt).toBeInstanceOf(Date);

    const staged = await management.stage('rotation by test');
    expect(staged.usableAt).toBeInstanceOf(Date);
    expect(staged.usableAt.getTime() - staged.createdAt.getTime()).toBe(300);
    expect(mc.accepts(target.clientId, staged.clientSecret)).toBe(false);

    const during = await management.status();
    expect(during.staged).toEqual({
      createdAt: staged.createdAt,
      usableAt: staged.usableAt,
      expiresAt: staged.expiresAt,
      description: 'rotation by test',
    });
    expect(during.lastGeneratedAt).toEqual(staged.createdAt);

    await realSleep(staged.usableAt.getTime() - Date.now() + 20);
    const activated = await management.activate();
    expect(activated.expiresAt).toEqual(staged.expiresAt);
    expect(activated.activatedAt).toBeInstanceOf(Date);

    const after = await management.status();
    expect(after).toMatchObject({ staged: null, lastActivatedAt: activated.activatedAt });
    expect(mc.accepts(target.clientId, staged.clientSecret)).toBe(true);
    expect(mc.accepts(target.clientId, target.clientSecret)).toBe(false);

    expect(count(mc, MC_ROUTES.token)).toBe(1);
    expect(mc.server.log.every((e) => e.status < 400)).toBe(true);
    expect(slept).toEqual([]);
  });

  it.each([
    ['without', ''],
    ['with', '/'],
  ])('joins a base URL %s a trailing slash and encodes the client id', async (_, slash) => {
    const mc = await startMc();
    const admin = mc.addPackage({ admin: true });
    const odd = mc.addPackage({ clientId: 'odd/id with?chars' });
    const { sleep } = recordingSleep();
    const management = createManagementClient({
      tokens: new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy }),
      adminCredential: () => admin,
      baseUrl: `${mc.url}${slash}`,
      clientId: odd.clientId,
      sleep,
      policy,
    });

    expect((await management.status()).clientId).toBe(odd.clientId);
    expect(mc.server.log.at(-1)?.path).toBe('/platform/v1/oauth/clients/odd%2Fid%20with%3Fchars/secrets');
  });

  it('says the service does not let the admin package manage secrets on a 403, inventing no Setup setting', async () => {
    const mc = await startMc();
    const notAdmin = mc.addPackage();
    const { sleep, slept } = recordingSleep();
    const management = createManagementClient({
      tokens: new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy }),
      baseUrl: mc.url,
      adminCredential: () => notAdmin,
      clientId: notAdmin.clientId,
      sleep,
      policy,
    });

    const error = await rejection(management.stage('x'));
    expect(error.status).toBe(403);
    expect(error.subject).toBe('admin-client-id');
    expect(error.message).toContain(
      `The management service does not let package ${notAdmin.clientId} stage a new secret (403 errorcode 10003`,
    );
    expect(error.message).toContain(
      'allow this package there, or set admin-client-id and admin-client-secret',
    );
    expect(error.message).not.toMatch(/grant|Admin|Setup/);
    expect(slept).toEqual([]);
    expect(mc.server.writes().filter((e) => e.route === MC_ROUTES.stage)).toHaveLength(1);
  });

  it('says the client id is unknown on a 404', async () => {
    const { mc, admin } = await managementSetup();
    const { sleep } = recordingSleep();
    const management = createManagementClient({
      tokens: new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy }),
      baseUrl: mc.url,
      adminCredential: () => admin,
      clientId: 'no-such-client',
      sleep,
      policy,
    });

    const error = await rejection(management.status());
    expect(error.status).toBe(404);
    expect(error.subject).toBe('client-id');
    expect(error.message).toContain(
      'Client id no-such-client was not found by the management service (404 errorcode 10004',
    );
  });

  it('reports 409 (nothing staged) and 425 (not usable yet, with the time) without retrying', async () => {
    const { mc, management, slept } = await managementSetup({ windowMs: 5_000 });

    const nothing = await rejection(management.activate());
    // The engine learns "nothing staged" from the port's own error class, never from the status.
    expect(nothing).toBeInstanceOf(NothingStagedError);
    expect(nothing.status).toBe(409);
    expect(nothing.message).toContain('There is no staged secret to activate');

    const staged = await management.stage('x');
    const early = await rejection(management.activate());
    expect(early).not.toBeInstanceOf(NothingStagedError);
    expect(early.status).toBe(425);
    expect(early.message).toContain('is not usable yet');
    expect(early.message).toContain(staged.usableAt.toISOString());
    expect(exposed(early)).not.toContain(staged.clientSecret);

    expect(count(mc, MC_ROUTES.activate)).toBe(2);
    expect(slept).toEqual([]);
  });

  it('waits out the platform window when a second stage comes too soon', async () => {
    const { mc, target, management, slept, retries } = await managementSetup({ realSleep: true });

    const first = await management.stage('first');
    const started = Date.now();
    const second = await management.stage('second');

    // The emulator rounds Retry-After up to whole seconds.
    expect(slept[0]).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(retries).toEqual([
      expect.objectContaining({
        route: 'POST /platform/v1/oauth/clients/{clientId}/secrets/staged',
        reason: 'status 429 errorcode 10029',
      }),
    ]);
    expect(second.clientSecret).not.toBe(first.clientSecret);
    expect(mc.history(target.clientId).map((h) => h.type)).toEqual(['generated', 'generated']);
    expect(count(mc, MC_ROUTES.stage)).toBe(3);
  });

  it('fails at once when the window is longer than the policy allows', async () => {
    const { mc, management, slept } = await managementSetup({ windowMs: 10_000 });

    await management.stage('first');
    const error = await rejection(management.stage('second'));
    expect(error.status).toBe(429);
    expect(error.message).toContain('asking to wait 10 s, longer than the 5 s this run allows');
    expect(slept).toEqual([]);
    expect(count(mc, MC_ROUTES.stage)).toBe(2);
  });

  it('retries 5xx and reset connections, and gives up with a clear error', async () => {
    const { mc, management, retries } = await managementSetup();
    mc.server.faults.inject({ route: MC_ROUTES.status, mode: { kind: 'status', status: 502 } });
    mc.server.faults.inject({ route: MC_ROUTES.status, mode: { kind: 'reset' } });

    expect((await management.status()).staged).toBeNull();
    expect(retries.map((r) => r.reason)).toEqual(['status 502', expect.stringMatching(/^[A-Z_]+$/)]);

    mc.server.faults.inject({ route: MC_ROUTES.status, mode: { kind: 'status', status: 503 }, times: 4 });
    const error = await rejection(management.status());
    expect(error.status).toBe(503);
    expect(error.message).toContain('could not read the secret status (status 503 on all 4 attempts)');
  });

  it('says the management URL cannot be reached', async () => {
    const url = await closedPortUrl();
    const { management } = await managementSetup({}, { baseUrl: url });

    const error = await rejection(management.status());
    expect(error.subject).toBe('management-url');
    expect(error.message).toContain(`The management service at ${url}/platform/v1/oauth/clients/`);
    expect(error.message).toContain('cannot be reached (ECONNREFUSED on all 4 attempts)');
    expect(error.message).toContain('`management: setup`');
  });

  it('renews a stale admin token once on a 401', async () => {
    let clock = Date.now();
    const { mc, management } = await managementSetup({ now: () => clock, tokenTtlSeconds: 60 });

    await management.status();
    clock += 61_000; // the emulator's token has expired; the client still trusts it
    await management.status();

    expect(mc.server.log.map((e) => `${e.route} ${e.status}`)).toEqual([
      `${MC_ROUTES.token} 200`,
      `${MC_ROUTES.status} 200`,
      `${MC_ROUTES.status} 401`,
      `${MC_ROUTES.token} 200`,
      `${MC_ROUTES.status} 200`,
    ]);
  });

  it('says the admin credentials are rejected when a fresh token is refused too', async () => {
    const { mc, management, slept } = await managementSetup();
    const body = restError('Not Authorized', ERROR_CODES.notAuthorized);
    mc.server.faults.inject({
      route: MC_ROUTES.status,
      mode: { kind: 'status', status: 401, body },
      times: 2,
    });

    const error = await rejection(management.status());
    expect(error.status).toBe(401);
    expect(error.subject).toBe('admin-client-secret');
    expect(error.message).toContain('rejected the admin token even after a fresh one was issued');
    expect(count(mc, MC_ROUTES.token)).toBe(2);
    expect(count(mc, MC_ROUTES.status)).toBe(2);
    expect(slept).toEqual([]);
  });

  it('says the admin credentials are rejected by the token endpoint', async () => {
    const { admin, management } = await managementSetup(
      {},
      { adminCredential: () => ({ clientId: 'admin-x', clientSecret: 'stale-admin-secret' }) },
    );

    const error = await rejection(management.status());
    expect(error.status).toBe(401);
    expect(error.subject).toBe('admin-client-secret');
    expect(error.message).toContain('admin-x');
    expect(error.message).toContain('admin-client-id and admin-client-secret');
    expect(exposed(error)).not.toContain('stale-admin-secret');
    expect(exposed(error)).not.toContain(admin.clientSecret);
  });

  it('lets the caller switch the admin credential after the admin package itself was rotated', async () => {
    const mc = await startMc();
    const pkg = mc.addPackage({ admin: true });
    let admin = pkg;
    const { sleep } = recordingSleep();
    const management = createManagementClient({
      tokens: new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy }),
      baseUrl: mc.url,
      adminCredential: () => admin,
      clientId: pkg.clientId,
      sleep,
      policy,
    });

    const staged = await management.stage('self');
    await realSleep(staged.usableAt.getTime() - Date.now() + 20);
    await management.activate();
    admin = { clientId: pkg.clientId, clientSecret: staged.clientSecret };
    expect((await management.status()).staged).toBeNull();
    expect(mc.server.log.filter((e) => e.route === MC_ROUTES.token).map((e) => e.status)).toEqual([200, 200]);
  });

  it('reconciles an activation whose response was lost instead of activating again', async () => {
    const mc = await startMc();
    const admin = mc.addPackage({ admin: true });
    const target = mc.addPackage();
    const { sleep, slept } = recordingSleep();
    // The request reaches Marketing Cloud and is carried out; the answer never arrives.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/activate')) {
        await response.arrayBuffer();
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
        });
      }
      return response;
    };
    const management = createManagementClient({
      tokens: new TokenClient({ tokenUrl: mc.tokenUrl, sleep, policy }),
      baseUrl: mc.url,
      adminCredential: () => admin,
      clientId: target.clientId,
      fetch: losing,
      sleep,
      policy,
    });

    const staged = await management.stage('x');
    await realSleep(staged.usableAt.getTime() - Date.now() + 20);
    const activated = await management.activate();

    expect(activated.expiresAt).toEqual(staged.expiresAt);
    expect(count(mc, MC_ROUTES.activate)).toBe(1);
    expect(mc.history(target.clientId).map((h) => h.type)).toEqual(['generated', 'activated']);
    expect(slept).toHaveLength(1);
  });

  it('activates again after a failure that did not take effect', async () => {
    const { mc, management } = await managementSetup();
    const staged = await management.stage('x');
    await realSleep(staged.usableAt.getTime() - Date.now() + 20);
    mc.server.faults.inject({ route: MC_ROUTES.activate, mode: { kind: 'reset' } });

    await management.activate();
    expect(mc.server.log.map((e) => e.route)).toEqual([
      MC_ROUTES.token,
      MC_ROUTES.stage,
      MC_ROUTES.activate,
      MC_ROUTES.status,
      MC_ROUTES.activate,
    ]);
  });

  describe('never lets the staged secret into an error', () => {
    it('when a later call fails, even if the server quotes the secret', async () => {
      const { mc, management, retries } = await managementSetup();
      const staged = await management.stage('x');
      mc.server.faults.inject({
        route: MC_ROUTES.activate,
        mode: {
          kind: 'status',
          status: 400,
          body: { message: `bad ${staged.clientSecret}`, errorcode: 10001 },
        },
      });
      mc.server.faults.inject({
        route: MC_ROUTES.activate,
        mode: { kind: 'status', status: 500 },
        times: 10,
      });

      const quoted = await rejection(management.activate());
      expect(quoted.message).toContain('400 errorcode 10001: bad [REDACTED]');
      const exhausted = await rejection(management.activate());
      expect(exhausted.status).toBe(500);
      for (const error of [quoted, exhausted]) expect(exposed(error)).not.toContain(staged.clientSecret);
      expect(JSON.stringify(retries)).not.toContain(staged.clientSecret);
    });

    it('when the stage response cannot be read', async () => {
      const { mc, management } = await managementSetup();
      const secret = 'Plaintext0f-a-staged-secret';
      mc.server.faults.inject({
        route: MC_ROUTES.stage,
        mode: { kind: 'status', status: 201, body: { clientSecret: secret, createdAt: 'yesterday' } },
      });
      mc.server.faults.inject({
        route: MC_ROUTES.stage,
        mode: { kind: 'status', status: 201, body: `{"clientSecret": "${secret}"` },
      });

      const wrongShape = await rejection(management.stage('x'));
      expect(wrongShape.message).toContain('createdAt: invalid_format; usableAt: expected string');
      expect(wrongShape.message).toContain('its value could not be read');
      const notJson = await rejection(management.stage('x'));
      expect(notJson.message).toContain('answered 201 with a body that is not JSON');
      expect(notJson.message).toContain('its value could not be read');
      for (const error of [wrongShape, notJson]) expect(exposed(error)).not.toContain(secret);
    });
  });
});

describe('management client and the published contract', () => {
  it('sends only requests that docs/management-api.openapi.yaml describes', async () => {
    const problems: string[] = [];
    const checked: string[] = [];
    const validating: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname.startsWith('/platform/')) {
        const method = init?.method ?? 'GET';
        checked.push(`${method} ${url.pathname.replace(/^.*\/secrets/, '')}`);
        const body = typeof init?.body === 'string' ? init.body : '';
        problems.push(
          ...requestErrors({ method, pathname: url.pathname, headers: new Headers(init?.headers), body }),
        );
      }
      return fetch(input, init);
    };
    const clock = manualClock(Date.now());
    const { management } = await managementSetup({ now: clock.now }, { fetch: validating });

    await management.status();
    await management.stage('contract check');
    clock.advance(300);
    await management.activate();

    expect(checked).toEqual(['GET ', 'POST /staged', 'POST /staged/activate']);
    expect(problems).toEqual([]);
    // The validator does reject what the contract does not allow.
    const bad = { method: 'POST', pathname: '/platform/v1/oauth/clients/abcdefgh/secrets/staged' };
    expect(requestErrors({ ...bad, headers: new Headers(), body: '{"description":5}' })).toEqual([
      'authorization: a Bearer token is required',
      'content-type: application/json is required',
      'body/description must be string',
    ]);
  });

  const foreign: Array<
    [string, { status: number; body: unknown; headers?: Record<string, string> }, string]
  > = [
    [
      '404 that is not the contract’s envelope',
      { status: 404, body: { message: 'Not Found' } },
      "404 with JSON that is not the contract's",
    ],
    [
      '404 envelope with another errorcode',
      { status: 404, body: restError('Resource not found', 404) },
      "404 with errorcode 404, not the contract's 10004",
    ],
    [
      '404 HTML page',
      { status: 404, body: '<html><body>Not Found</body></html>', headers: { 'content-type': 'text/html' } },
      '404 with an HTML page',
    ],
    [
      '200 HTML page (a login or portal page)',
      {
        status: 200,
        body: '<!doctype html><title>Sign in</title>',
        headers: { 'content-type': 'text/html' },
      },
      '200 with an HTML page',
    ],
    [
      '200 that is not JSON',
      { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } },
      '200 with a body that is not JSON',
    ],
    [
      '200 JSON of something else',
      { status: 200, body: { items: [], count: 0 } },
      "200 with JSON that is not the contract's (clientId: expected string",
    ],
    [
      '302 redirect',
      { status: 302, body: '', headers: { location: 'https://login.example.com/' } },
      '302 with an empty body',
    ],
  ];
  it.each(foreign)('says a %s means management-url does not serve the contract', async (_, reply, says) => {
    const { mc, management, slept } = await managementSetup();
    mc.server.faults.inject({ route: MC_ROUTES.status, mode: { kind: 'status', ...reply } });

    const error = await rejection(management.status());
    expect(error.subject).toBe('management-url');
    expect(error.message).toContain(`management-url ${mc.url} does not serve the management contract`);
    expect(error.message).toContain(`asked to read the secret status, it answered ${says}`);
    expect(error.message).toContain('Either use `management: setup`');
    expect(error.message).toContain('a service that implements docs/management-api.openapi.yaml');
    expect(error.message).not.toContain('was not found');
    expect(slept).toEqual([]);
  });

  it('says so for a tenant without a management API (what every real tenant is)', async () => {
    const { mc, management } = await managementSetup({ managementApi: false });

    const error = await rejection(management.status());
    expect(error.subject).toBe('management-url');
    expect(error.message).toContain("answered 404 with JSON that is not the contract's");
    expect(count(mc, 'unmatched')).toBe(1);
  });
});

describe("Marketing Cloud's rate limits: 429 errorcode 50100 with Retry-After, 50200 without", () => {
  const backoff: RetryPolicy = { attempts: 4, baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 10_000 };

  async function throttled() {
    const mc = await startMc();
    const admin = mc.addPackage({ admin: true });
    const target = mc.addPackage();
    const slept: number[] = [];
    const retries: RetryInfo[] = [];
    const http = {
      sleep: async (ms: number) => {
        slept.push(ms);
      },
      policy: backoff,
      random: () => 0.5,
      onRetry: (info: RetryInfo) => retries.push(info),
    };
    const tokens = new TokenClient({ tokenUrl: mc.tokenUrl, ...http });
    const management = createManagementClient({
      tokens,
      adminCredential: () => admin,
      baseUrl: mc.url,
      clientId: target.clientId,
      ...http,
    });
    return { mc, admin, tokens, management, slept, retries };
  }

  type Setup = Awaited<ReturnType<typeof throttled>>;
  const endpoints: Array<{
    name: string;
    route: string;
    call: (s: Setup) => Promise<unknown>;
    failure: string;
  }> = [
    {
      name: 'token endpoint',
      route: MC_ROUTES.token,
      call: (s) => s.tokens.token(s.admin),
      failure: "Marketing Cloud's token endpoint",
    },
    {
      name: 'management API',
      route: MC_ROUTES.status,
      call: (s) => s.management.status(),
      failure: 'The management service could not read the secret status',
    },
  ];

  describe.each(endpoints)('$name', ({ route, call, failure }) => {
    it('waits the Retry-After of a 50100 (5 s, as documented), then succeeds', async () => {
      const s = await throttled();
      s.mc.server.faults.inject({ route, mode: rateLimited(50100), times: 2 });

      await call(s);
      expect(s.slept).toEqual([5_000, 5_000]);
      expect(s.retries.map((r) => r.reason)).toEqual([
        'status 429 errorcode 50100',
        'status 429 errorcode 50100',
      ]);
    });

    it('backs off exponentially, with jitter, on a 50200, then succeeds', async () => {
      const s = await throttled();
      s.mc.server.faults.inject({ route, mode: rateLimited(50200), times: 2 });

      await call(s);
      // Half the ceiling plus random() × half: 100 ms then 200 ms ceilings at random() = 0.5.
      expect(s.slept).toEqual([75, 150]);
      expect(s.retries.map((r) => r.reason)).toEqual([
        'status 429 errorcode 50200',
        'status 429 errorcode 50200',
      ]);
    });

    it('gives up on a lasting 50200 after the bounded attempts, saying Marketing Cloud throttles', async () => {
      const s = await throttled();
      s.mc.server.faults.inject({ route, mode: rateLimited(50200), times: 10 });

      const error = await rejection(call(s));
      expect(error.status).toBe(429);
      expect(error.message).toContain(failure);
      expect(error.message).toContain('(status 429 errorcode 50200 on all 4 attempts)');
      expect(error.message).toContain('Marketing Cloud is throttling API calls from this account');
      expect(s.slept).toEqual([75, 150, 300]);
      expect(count(s.mc, route)).toBe(4);
    });
  });
});
