// The Marketing Cloud emulator's request log (no secret ever), its change
// events, and each fault-injection mode of the common server on its routes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededDraw } from './common/server.ts';
import {
  type ChangeEvent,
  ERROR_CODES,
  type MarketingCloudEmulator,
  MC_ROUTES,
  restError,
} from './marketing-cloud/index.ts';
import {
  credentials,
  type ManualClock,
  manage,
  requestToken,
  startTenant,
  tokenFor,
} from './marketing-cloud/testing.ts';

const WINDOW = 300_000;

let clock: ManualClock;
let mc: MarketingCloudEmulator;
let pkg: { clientId: string; clientSecret: string };
let adminToken: string;

beforeEach(async () => {
  ({ clock, mc, pkg, adminToken } = await startTenant());
});

afterEach(async () => {
  await mc.stop();
});

describe('request log', () => {
  it('never holds a plaintext secret or access token', async () => {
    const tokens = [adminToken];
    // A secret pasted where no field name gives it away must be redacted too.
    const staged = await manage(mc, adminToken, 'stage', pkg.clientId, {
      description: `old ${pkg.clientSecret}`,
    });
    expect(staged.status).toBe(201);
    clock.advance(WINDOW);
    tokens.push(await tokenFor(mc, pkg.clientId, staged.body.clientSecret));
    await requestToken(mc, {
      grant_type: 'client_credentials',
      client_id: pkg.clientId,
      note: pkg.clientSecret,
    });
    expect((await manage(mc, adminToken, 'activate', pkg.clientId)).status).toBe(200);
    expect((await requestToken(mc, credentials(pkg.clientId, pkg.clientSecret))).status).toBe(401);

    const log = JSON.stringify(mc.server.log);
    const sensitive = [...mc.knownSecrets(), ...tokens];
    expect(sensitive).toHaveLength(5);
    for (const value of sensitive) expect(log).not.toContain(value);
    expect(log).toContain('[REDACTED]');
    expect(mc.server.log.map((e) => [e.route, e.status])).toEqual([
      [MC_ROUTES.token, 200],
      [MC_ROUTES.stage, 201],
      [MC_ROUTES.token, 200],
      [MC_ROUTES.token, 400],
      [MC_ROUTES.activate, 200],
      [MC_ROUTES.token, 401],
    ]);
    expect(mc.server.writes()).toHaveLength(6);
  });
});

describe('change events', () => {
  it('are emitted synchronously after each state change, matching history', async () => {
    const events: ChangeEvent[] = [];
    const seen: unknown[] = [];
    mc.on('change', (event) => {
      events.push(event);
      seen.push(mc.statusOf(event.clientId));
    });
    const t0 = clock.now();
    const staged = await manage(mc, adminToken, 'stage', pkg.clientId);
    expect(seen[0]).toMatchObject({ staged: { createdAt: new Date(t0).toISOString() } });
    clock.advance(WINDOW);
    await manage(mc, adminToken, 'activate', pkg.clientId);
    expect(seen[1]).toMatchObject({ staged: null, lastActivatedAt: new Date(t0 + WINDOW).toISOString() });
    clock.advance(WINDOW);
    const next = mc.setupGenerate(pkg.clientId).clientSecret;
    expect(events).toHaveLength(3);
    mc.revoke(pkg.clientId, next);
    expect(events).toHaveLength(4);
    mc.revoke(pkg.clientId, staged.body.clientSecret);

    // Refused calls change nothing and emit nothing.
    await manage(mc, adminToken, 'stage', pkg.clientId);
    await manage(mc, adminToken, 'activate', pkg.clientId);

    expect(events).toEqual([
      { type: 'generated', clientId: pkg.clientId, at: t0 },
      { type: 'activated', clientId: pkg.clientId, at: t0 + WINDOW },
      { type: 'generated', clientId: pkg.clientId, at: t0 + 2 * WINDOW },
      { type: 'revoked', clientId: pkg.clientId, at: t0 + 2 * WINDOW },
      { type: 'revoked', clientId: pkg.clientId, at: t0 + 2 * WINDOW },
    ]);
    expect(mc.history(pkg.clientId)).toEqual(events.map(({ type, at }) => ({ type, at })));
  });
});

describe('fault injection', () => {
  it('fails the next N calls with a status and Retry-After, then stops', async () => {
    mc.server.faults.inject({
      route: MC_ROUTES.token,
      mode: { kind: 'status', status: 503, retryAfter: 2 },
      times: 2,
    });
    const attempt = () => requestToken(mc, credentials(pkg.clientId, pkg.clientSecret));
    for (let i = 0; i < 2; i++) {
      const res = await attempt();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    expect((await attempt()).status).toBe(200);
    expect(mc.server.faults.injected.get(MC_ROUTES.token)).toBe(2);
    expect(mc.server.log.filter((e) => e.fault === 'status 503')).toHaveLength(2);
  });

  it('serves general throttling in the REST envelope', async () => {
    mc.server.faults.inject({
      route: MC_ROUTES.status,
      mode: {
        kind: 'status',
        status: 429,
        retryAfter: 1,
        body: restError('Too many requests', ERROR_CODES.throttled),
      },
    });
    const throttled = await manage(mc, adminToken, 'status', pkg.clientId);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.body).toMatchObject({ errorcode: 50100 });
    expect((await manage(mc, adminToken, 'status', pkg.clientId)).status).toBe(200);
  });

  it('fails calls with a seeded probability, repeatably', async () => {
    const run = async () => {
      const fault = mc.server.faults.inject({
        route: MC_ROUTES.status,
        mode: { kind: 'status', status: 500 },
        probability: 0.4,
        seed: 7,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await manage(mc, adminToken, 'status', pkg.clientId)).status);
      fault.clear();
      return statuses;
    };
    const first = await run();
    expect(first).toEqual(
      first.map((_, i) => (seededDraw(7, `${MC_ROUTES.status} #${i + 1}`) < 0.4 ? 500 : 200)),
    );
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it('draws a seeded fault per route: calls to other routes in between do not shift it', async () => {
    const run = async (interleave: boolean) => {
      const fault = mc.server.faults.inject({
        mode: { kind: 'status', status: 500 },
        probability: 0.4,
        seed: 9,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        if (interleave) await manage(mc, adminToken, 'status', pkg.clientId);
        statuses.push((await manage(mc, adminToken, 'stage', pkg.clientId)).status === 500 ? 500 : 0);
      }
      fault.clear();
      return statuses;
    };
    const alone = await run(false);
    expect(alone).toContain(500);
    expect(await run(true)).toEqual(alone);
  });

  it('delays a call and then answers it normally', async () => {
    mc.server.faults.inject({ route: MC_ROUTES.stage, mode: { kind: 'delay', ms: 150 } });
    const started = performance.now();
    const res = await manage(mc, adminToken, 'stage', pkg.clientId);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(res.status).toBe(201);
    expect(mc.server.log.at(-1)?.fault).toBe('delay 150ms');
  });

  it('resets the connection without applying the call', async () => {
    await manage(mc, adminToken, 'stage', pkg.clientId);
    clock.advance(WINDOW);
    mc.server.faults.inject({ route: /secrets\.activate$/, mode: { kind: 'reset' } });
    await expect(manage(mc, adminToken, 'activate', pkg.clientId)).rejects.toThrow(TypeError);
    expect(mc.server.log.at(-1)).toMatchObject({ route: MC_ROUTES.activate, fault: 'reset' });
    expect(mc.statusOf(pkg.clientId)).toMatchObject({ lastActivatedAt: null });
    expect((await manage(mc, adminToken, 'activate', pkg.clientId)).status).toBe(200);
  });
});
