// Hostile text and credentials, end to end through dist/index.js: text from
// stored state or a server renders as text in the job summary and cannot
// start a workflow command; access tokens are masked and never printed, even
// when a server echoes the Authorization header; an environment name or a
// rest_instance_url that would send a request elsewhere stops the run before
// it writes anything.
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MC_ROUTES } from '../emulators/marketing-cloud/index.ts';
import { findLeaks } from '../support/leak-scan.ts';
import { errorAnnotations, firstError } from '../support/runner.ts';
import { OWNER, REPO, World } from '../support/world.ts';
import { mark, writesSince } from './support-no-writes.ts';

const HOSTILE =
  '# Owned\n::set-output name=phase::pwned\n[click](javascript:alert(1)) ![i](https://evil.example/p.png) <img src=x onerror=alert(1)>';

/** Stdout lines the runner would read as a workflow command, other than the action's masks, annotations and step groups. */
const strayCommands = (stdout: string): string[] =>
  stdout
    .split(/\r?\n/)
    .filter(
      (line) =>
        /^\s*(::|##\[)/.test(line) &&
        !/^::(add-mask|error|warning|notice|debug)\b/.test(line) &&
        !/^::(group::[a-z-]+ details|endgroup::)$/.test(line),
    );

/** A Marketing Cloud token answer with this access token and rest_instance_url. */
const tokenReply = (accessToken: string, restInstanceUrl: string) => ({
  kind: 'status' as const,
  status: 200,
  body: {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: 1080,
    rest_instance_url: restInstanceUrl,
  },
});

describe('hostile text and credentials', { timeout: 180_000 }, () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({ windowMs: 300 });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('renders a hostile client id from a planted state artifact as text', async () => {
    const trusted = await world.run({ inputs: { mode: 'rotate' } });
    expect(trusted.code, firstError(trusted)).toBe(0);
    const artifact = world.stateArtifacts()[0];
    if (!artifact) throw new Error('the trusted run saved no state artifact');
    const state = { ...world.newestState(), clientId: HOSTILE };
    world.gh.artifacts.corrupt(
      artifact.id,
      Buffer.from(zipSync({ 'state.json': strToU8(JSON.stringify(state)) })),
    );

    const run = await world.run({ inputs: { mode: 'status' } });
    // Mid-line `#` starts nothing; each line stays inside the note's list item.
    expect(run.summary).toContain(
      '- The state artifact belongs to client # Owned\n  ::set-output name=phase::pwned\n  \\[click\\]',
    );
    expect(run.summary).toContain('\\[click\\](javascript:alert(1))');
    expect(run.summary).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(run.summary).not.toMatch(/(?<!\\)(<img|!\[|\]\()/);
    expect(run.summary).not.toMatch(/^\s*# Owned/m);
    expect(strayCommands(run.stdout)).toEqual([]);
    expect(run.outputs.phase).not.toBe('pwned');
  });

  it('masks every access token and never prints one a server echoes', async () => {
    const admin = world.mc.addPackage({ admin: true });
    const tokens = [
      'eyJhbGciOiJub25lIn0.cGFja2FnZS10b2tlbi0xMjM0NTY',
      'eyJhbGciOiJub25lIn0.YWRtaW4tdG9rZW4tNjU0MzIx',
    ];
    for (const token of tokens)
      world.mc.server.faults.inject({ route: MC_ROUTES.token, mode: tokenReply(token, `${world.mc.url}/`) });
    const echoed = tokens.map((t) => `"Authorization":"Bearer ${t}"`).join(',');
    world.mc.server.faults.inject({
      route: /^mc\.secrets\./,
      mode: {
        kind: 'status',
        status: 400,
        body: {
          message: `Bad request <b>x</b>; headers {${echoed}}`,
          errorcode: 10002,
          documentation: '',
        },
      },
    });

    const run = await world.run({
      inputs: {
        mode: 'rotate',
        'admin-client-id': admin.clientId,
        'admin-client-secret': admin.clientSecret,
      },
    });
    expect(run.code).toBe(1);
    for (const token of tokens) expect(run.stdout).toContain(`::add-mask::${token}`);
    const message = errorAnnotations(run.stdout)[0]?.message ?? '';
    expect(message).toContain('Bearer ');
    // What the run wrote (the emulator's own log holds the echo it sent).
    const written = Object.entries(world.texts()).filter(([where]) => where.startsWith('run '));
    expect(findLeaks(Object.fromEntries(written), tokens)).toEqual([]);
    expect(strayCommands(run.stdout)).toEqual([]);
  });

  it('refuses the environment name .. before any request to GitHub', async () => {
    const before = mark(world);
    const run = await world.run({ inputs: { destinations: `environment:${OWNER}/${REPO}:..` } });
    expect(run.code).toBe(1);
    const [error] = errorAnnotations(run.stdout);
    expect(error?.title).toBe('sfmc-secret-rotation: destinations');
    expect(error?.message).toContain(`input \`destinations\` line 1: \`environment:${OWNER}/${REPO}:..\``);
    expect(error?.message).toContain('would be read as a URL path step');
    expect(world.gh.server.log.length).toBe(before.gh);
    expect(world.mc.server.log.length).toBe(before.mc);
  });

  it.each([
    ['http on a public host', 'http://mc.evil.example/', 'using http'],
    ['file:', 'file:///etc/passwd', 'using file'],
    ['javascript:', 'javascript:alert(1)', 'using javascript'],
  ])('stops before any write when rest_instance_url uses %s', async (_, url, what) => {
    world.mc.server.faults.inject({ route: MC_ROUTES.token, mode: tokenReply('tok-abcdefghijklmnop', url) });
    const before = mark(world);
    const run = await world.run({ inputs: { mode: 'rotate' } });
    expect(run.code).toBe(1);
    const [error] = errorAnnotations(run.stdout);
    expect(error?.title).toBe('sfmc-secret-rotation: auth-url');
    expect(error?.message).toContain(`answered with a rest_instance_url ${what}; it must be https`);
    expect(writesSince(world, before)).toEqual([]);
    expect(world.mc.server.log.slice(before.mc).map((e) => e.route)).toEqual([MC_ROUTES.token]);
  });
});
