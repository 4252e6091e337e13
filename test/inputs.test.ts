import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.ts';
import { InputError } from '../src/errors.ts';
import { parseInputs } from '../src/inputs.ts';

// Secret-looking values: none may ever appear in an error message.
const secrets = {
  'client-secret': 'Zq8vLr4Xk9Pq1Ws7Tn3Yb6Hd',
  'staged-client-secret': 'Hd0Jf5GmAa2Bb3Cc4Dd5Ee6F',
  'admin-client-secret': 'Ad9Mn8Bv7Cx6Zl5Kj4Hg3Fd2',
  'github-token': 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  'state-token': 'ghs_9zY8xW7vU6tS5rQ4pO3nM2lK1jI0hG9fE8dC',
};

const baseInputs: Record<string, string> = {
  subdomain: 'mc563885gzs27c5t9-63k636ttgm',
  'client-id': 'abc123def456ghi789jkl012',
  'client-secret': secrets['client-secret'],
  'github-token': secrets['github-token'],
  'state-token': secrets['state-token'],
  'secret-name': 'sfmc_client_secret',
};

const baseEnv: Record<string, string | undefined> = {
  GITHUB_REPOSITORY: 'octo-org/app',
  GITHUB_RUN_ID: '4242',
};

function parse(inputs: Record<string, string> = {}, env: Record<string, string | undefined> = {}): Config {
  const all = { ...baseInputs, ...inputs };
  return parseInputs((name) => all[name] ?? '', { ...baseEnv, ...env });
}

function errorOf(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): InputError {
  try {
    parse(inputs, env);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseInputs: valid inputs', () => {
  it('fills every default from the minimal inputs', () => {
    expect(parse()).toEqual({
      mode: 'auto',
      management: 'setup',
      tokenUrl: 'https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/v2/token',
      clientId: 'abc123def456ghi789jkl012',
      clientSecret: secrets['client-secret'],
      githubToken: secrets['github-token'],
      secretName: 'SFMC_CLIENT_SECRET',
      destinations: [
        { kind: 'repo', id: 'repo:octo-org/app', name: 'SFMC_CLIENT_SECRET', owner: 'octo-org', repo: 'app' },
      ],
      escrow: {
        kind: 'repo',
        id: 'repo:octo-org/app name=SFMC_CLIENT_SECRET_STAGED',
        name: 'SFMC_CLIENT_SECRET_STAGED',
        owner: 'octo-org',
        repo: 'app',
      },
      previousEscrow: {
        kind: 'repo',
        id: 'repo:octo-org/app name=SFMC_CLIENT_SECRET_PREVIOUS',
        name: 'SFMC_CLIENT_SECRET_PREVIOUS',
        owner: 'octo-org',
        repo: 'app',
      },
      reminderIssue: false,
      rotateAfterDays: 150,
      description: 'Staged by sfmc-secret-rotation for octo-org/app run 4242',
      maxWaitSeconds: 900,
      stateArtifactName: 'sfmc-rotation-abc123def456ghi789jkl012',
      stateRetentionDays: 90,
      stateToken: secrets['state-token'],
      repository: { owner: 'octo-org', repo: 'app' },
      runId: 4242,
      runAttempt: 1,
      apiUrl: 'https://api.github.com',
      githubTimeoutMs: 30_000,
    } satisfies Config);
  });

  const cases: [string, Record<string, string>, Record<string, string | undefined>, Partial<Config>][] = [
    ...(['auto', 'rotate', 'stage', 'activate', 'status', 'plan'] as const).map(
      (mode): [string, Record<string, string>, Record<string, string | undefined>, Partial<Config>] => [
        `mode ${mode}`,
        { mode },
        {},
        { mode },
      ],
    ),
    [
      'auth-url base URI gets /v2/token',
      { subdomain: '', 'auth-url': 'https://mc1abc.auth.marketingcloudapis.com/' },
      {},
      { tokenUrl: 'https://mc1abc.auth.marketingcloudapis.com/v2/token' },
    ],
    [
      'auth-url without a path',
      { 'auth-url': 'https://mc1abc.auth.marketingcloudapis.com' },
      {},
      { tokenUrl: 'https://mc1abc.auth.marketingcloudapis.com/v2/token' },
    ],
    [
      'auth-url wins over subdomain',
      { 'auth-url': 'http://127.0.0.1:8123/tenant/v2/token', subdomain: 'NOT valid' },
      {},
      { tokenUrl: 'http://127.0.0.1:8123/tenant/v2/token' },
    ],
    [
      'auth-url on localhost and [::1] may be http',
      { 'auth-url': 'http://[::1]:9/' },
      {},
      { tokenUrl: 'http://[::1]:9/v2/token' },
    ],
    [
      'management-url loses its trailing slash',
      { management: 'api', 'management-url': 'https://sfmc-secrets.example.com/' },
      {},
      { management: 'api', managementUrl: 'https://sfmc-secrets.example.com' },
    ],
    [
      'management-url keeps its path',
      { management: 'api', 'management-url': 'http://localhost:7000/mc/', 'reminder-issue': 'false' },
      {},
      { management: 'api', managementUrl: 'http://localhost:7000/mc' },
    ],
    [
      'optional secrets and ids',
      {
        'staged-client-secret': secrets['staged-client-secret'],
        'account-id': '514009999',
        management: 'api',
        'management-url': 'https://sfmc-secrets.example.com',
        'admin-client-id': 'ADMIN0000client1',
        'admin-client-secret': secrets['admin-client-secret'],
      },
      {},
      {
        stagedClientSecret: secrets['staged-client-secret'],
        accountId: '514009999',
        admin: { clientId: 'ADMIN0000client1', clientSecret: secrets['admin-client-secret'] },
      },
    ],
    [
      'destinations with a custom escrow',
      {
        destinations: '# consumers\nrepo:octo-org/app\norg:octo-org visibility=private name=shared',
        escrow: 'environment:octo-org/app:rotation',
      },
      {},
      {
        destinations: [
          {
            kind: 'repo',
            id: 'repo:octo-org/app',
            name: 'SFMC_CLIENT_SECRET',
            owner: 'octo-org',
            repo: 'app',
          },
          {
            kind: 'org',
            id: 'org:octo-org visibility=private name=SHARED',
            name: 'SHARED',
            org: 'octo-org',
            visibility: 'private',
          },
        ],
        escrow: {
          kind: 'environment',
          id: 'environment:octo-org/app:rotation name=SFMC_CLIENT_SECRET_STAGED',
          name: 'SFMC_CLIENT_SECRET_STAGED',
          owner: 'octo-org',
          repo: 'app',
          environment: 'rotation',
        },
      },
    ],
    [
      'the default escrow follows the first destination and its name=',
      { destinations: 'environment:o/r:prod name=prod_secret\nrepo:o/r' },
      {},
      {
        escrow: {
          kind: 'environment',
          id: 'environment:o/r:prod name=PROD_SECRET_STAGED',
          name: 'PROD_SECRET_STAGED',
          owner: 'o',
          repo: 'r',
          environment: 'prod',
        },
      },
    ],
    [
      'an escrow line with its own name=',
      { escrow: 'repo:octo-org/vault name=hold' },
      {},
      {
        escrow: {
          kind: 'repo',
          id: 'repo:octo-org/vault name=HOLD_STAGED',
          name: 'HOLD_STAGED',
          owner: 'octo-org',
          repo: 'vault',
        },
      },
    ],
    [
      'numbers at their bounds',
      { 'rotate-after-days': '179', 'max-wait-seconds': '0', 'state-retention-days': '400' },
      {},
      { rotateAfterDays: 179, maxWaitSeconds: 0, stateRetentionDays: 400 },
    ],
    [
      'numbers at their lower bounds',
      { 'rotate-after-days': '1', 'max-wait-seconds': '3600', 'state-retention-days': '1' },
      {},
      { rotateAfterDays: 1, maxWaitSeconds: 3600, stateRetentionDays: 1 },
    ],
    [
      'description and artifact name',
      { description: 'd'.repeat(200), 'state-artifact-name': 'rotation state (prod)' },
      {},
      { description: 'd'.repeat(200), stateArtifactName: 'rotation state (prod)' },
    ],
    [
      'runner context',
      {},
      {
        GITHUB_RUN_ATTEMPT: '3',
        GITHUB_API_URL: 'http://127.0.0.1:5555/api/v3/',
        GITHUB_REPOSITORY: 'a.b/c_d',
      },
      { runAttempt: 3, apiUrl: 'http://127.0.0.1:5555/api/v3', repository: { owner: 'a.b', repo: 'c_d' } },
    ],
  ];
  it.each(cases)('%s', (_name, inputs, env, expected) => {
    expect(parse(inputs, env)).toMatchObject(expected);
  });

  it('leaves absent optional values out', () => {
    const config = parse();
    for (const key of ['stagedClientSecret', 'accountId', 'admin', 'managementUrl'])
      expect(config).not.toHaveProperty(key);
  });
});

describe('GitHub hosts', () => {
  it.each([
    ['github.com', 'https://github.com'],
    ['GitHub Enterprise Cloud with data residency', 'https://octo.ghe.com'],
    ['a *.localhost host', 'http://github.localhost'],
    ['no GITHUB_SERVER_URL', undefined],
  ])('accepts %s, where state artifacts work', (_what, url) => {
    expect(parse({}, { GITHUB_SERVER_URL: url }).apiUrl).toBe('https://api.github.com');
  });

  it('limits each GitHub call attempt as github-timeout-seconds says', () => {
    expect(parse({ 'github-timeout-seconds': '5' }).githubTimeoutMs).toBe(5000);
  });
});

/** The inputs that choose the management API. */
const api = { management: 'api', 'management-url': 'https://sfmc-secrets.example.com' };

describe('parseInputs: invalid inputs', () => {
  const cases: [string, Record<string, string>, Record<string, string | undefined>, string, string[]][] = [
    [
      'unknown mode',
      { mode: 'rotate-now' },
      {},
      'mode',
      ['input `mode`: `rotate-now` is not a mode — use one of auto, rotate, stage, activate, status, plan'],
    ],
    [
      'no tenant',
      { subdomain: '' },
      {},
      'subdomain',
      ['input `subdomain`: neither `subdomain` nor `auth-url` is set — set `subdomain`'],
    ],
    [
      'subdomain pasted as a URL',
      { subdomain: 'https://MC563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/' },
      {},
      'subdomain',
      [
        'looks like a URL or host name — set `subdomain` to just `mc563885gzs27c5t9-63k636ttgm`, or put the whole URL in `auth-url`',
      ],
    ],
    [
      'subdomain pasted as some other host',
      { subdomain: 'example.com' },
      {},
      'subdomain',
      ['`example.com` looks like a URL or host name — set `subdomain` to just the subdomain part'],
    ],
    [
      'subdomain in capitals',
      { subdomain: 'MC563885' },
      {},
      'subdomain',
      ['`MC563885` is not a Marketing Cloud subdomain — use lowercase'],
    ],
    [
      'subdomain ending in a hyphen',
      { subdomain: 'mc5-' },
      {},
      'subdomain',
      ['is not a Marketing Cloud subdomain'],
    ],
    [
      'auth-url over http',
      { 'auth-url': 'http://mc1.auth.marketingcloudapis.com/' },
      {},
      'auth-url',
      ['input `auth-url`: uses http — use https'],
    ],
    [
      'auth-url not a URL',
      { 'auth-url': 'mc1.auth.marketingcloudapis.com' },
      {},
      'auth-url',
      ['input `auth-url`: is not an absolute URL'],
    ],
    [
      'auth-url with another path',
      { 'auth-url': 'https://mc1.auth.marketingcloudapis.com/v1/requestToken' },
      {},
      'auth-url',
      ['its path `/v1/requestToken` does not end with /v2/token'],
    ],
    [
      'auth-url with a query',
      { 'auth-url': 'https://mc1.auth.marketingcloudapis.com/v2/token?x=1' },
      {},
      'auth-url',
      ['has a query or fragment'],
    ],
    [
      'auth-url with a fragment',
      { 'auth-url': 'https://mc1.auth.marketingcloudapis.com/#top' },
      {},
      'auth-url',
      ['has a query or fragment'],
    ],
    [
      'management-url with credentials',
      { management: 'api', 'management-url': 'https://user:pw@mc1.rest.marketingcloudapis.com' },
      {},
      'management-url',
      ['input `management-url`: contains credentials'],
    ],
    [
      'management-url over ftp',
      { management: 'api', 'management-url': 'ftp://mc1.rest.marketingcloudapis.com' },
      {},
      'management-url',
      ['uses ftp'],
    ],
    [
      'management api without management-url',
      { management: 'api' },
      {},
      'management-url',
      [
        'input `management-url`: is required but empty — with `management: api`, give the base URL of a service implementing docs/management-api.openapi.yaml, or use `management: setup`',
      ],
    ],
    [
      'management-url with the default management (setup)',
      { 'management-url': 'https://mc1abc.rest.marketingcloudapis.com' },
      {},
      'management-url',
      ['input `management-url`: applies only with `management: api` — remove it, or set `management: api`'],
    ],
    [
      'admin-client-id with management setup',
      { management: 'setup', 'admin-client-id': 'ADMIN0000client1' },
      {},
      'admin-client-id',
      ['input `admin-client-id`: applies only with `management: api`'],
    ],
    [
      'admin-client-secret with management setup',
      { 'admin-client-secret': secrets['admin-client-secret'] },
      {},
      'admin-client-secret',
      ['input `admin-client-secret`: applies only with `management: api`'],
    ],
    [
      'reminder-issue with management api',
      { management: 'api', 'management-url': 'https://sfmc-secrets.example.com', 'reminder-issue': 'true' },
      {},
      'reminder-issue',
      ['input `reminder-issue`: applies only with `management: setup`'],
    ],
    [
      'an unknown management, alone (its dependent inputs are not judged)',
      {
        management: 'manual',
        'management-url': 'https://sfmc-secrets.example.com',
        'reminder-issue': 'true',
      },
      {},
      'management',
      ['input `management`: `manual` is not a way of managing secrets — use `setup`', 'or `api`'],
    ],
    ['client-id missing', { 'client-id': '' }, {}, 'client-id', ['input `client-id`: is required but empty']],
    [
      'client-id too short',
      { 'client-id': 'abc1234' },
      {},
      'client-id',
      ['`abc1234` is not a client id — use the Client Id'],
    ],
    ['client-id with symbols', { 'client-id': 'abc-123-def-456' }, {}, 'client-id', ['is not a client id']],
    [
      'client-secret missing',
      { 'client-secret': '' },
      {},
      'client-secret',
      ['input `client-secret`: is required but empty'],
    ],
    ['account-id not digits', { 'account-id': 'MID-1' }, {}, 'account-id', ['`MID-1` is not a MID']],
    [
      'admin id without secret',
      { ...api, 'admin-client-id': 'ADMIN0000client1' },
      {},
      'admin-client-secret',
      ['input `admin-client-secret`: is required but empty — set both'],
    ],
    [
      'admin secret without id',
      { ...api, 'admin-client-secret': secrets['admin-client-secret'] },
      {},
      'admin-client-id',
      ['input `admin-client-id`: is required but empty — set both'],
    ],
    [
      'admin id malformed',
      { ...api, 'admin-client-id': 'x', 'admin-client-secret': 'y' },
      {},
      'admin-client-id',
      ['`x` is not a client id'],
    ],
    [
      'github-token missing',
      { 'github-token': '' },
      {},
      'github-token',
      [
        'input `github-token`: is required but empty — the workflow GITHUB_TOKEN cannot write secrets; pass a GitHub App installation token or a fine-grained token with write access to the secrets of each destination kind you use',
      ],
    ],
    [
      'state-token missing',
      { 'state-token': '' },
      {},
      'state-token',
      ['input `state-token`: is required but empty', 'actions: read'],
    ],
    [
      'secret-name missing',
      { 'secret-name': '' },
      {},
      'secret-name',
      ['input `secret-name`: is required but empty'],
    ],
    [
      'secret-name reserved',
      { 'secret-name': 'GITHUB_SFMC' },
      {},
      'secret-name',
      ['`GITHUB_SFMC` must not start with GITHUB_'],
    ],
    [
      'secret-name with a dash',
      { 'secret-name': 'SFMC-SECRET' },
      {},
      'secret-name',
      ['may contain only letters, digits and underscores'],
    ],
    [
      'bad destinations',
      { destinations: 'repo:octo-org/app\norg:octo-org' },
      {},
      'destinations',
      ['input `destinations` line 2: `org:octo-org`: visibility= is missing'],
    ],
    ['destinations only comments', { destinations: '# none' }, {}, 'destinations', ['lists no destination']],
    [
      'escrow of two lines',
      { escrow: 'repo:o/r\nrepo:o/s' },
      {},
      'escrow',
      ['input `escrow`: holds more than one line'],
    ],
    [
      'escrow malformed',
      { escrow: 'org:octo-org visibility=secret' },
      {},
      'escrow',
      ['input `escrow`: `org:octo-org visibility=secret`: visibility `secret` is not one of'],
    ],
    [
      'escrow on a destination',
      { destinations: 'repo:octo-org/app\nrepo:octo-org/app name=SFMC_CLIENT_SECRET_STAGED' },
      {},
      'escrow',
      [
        'the escrow secret `repo:octo-org/app name=SFMC_CLIENT_SECRET_STAGED` is also the destination `repo:octo-org/app name=SFMC_CLIENT_SECRET_STAGED`',
      ],
    ],
    [
      'rotate-after-days 180',
      { 'rotate-after-days': '180' },
      {},
      'rotate-after-days',
      [
        '`180` is not a whole number from 1 to 179 — Marketing Cloud expires a secret 180 days',
        'the default is 150',
      ],
    ],
    ['rotate-after-days 0', { 'rotate-after-days': '0' }, {}, 'rotate-after-days', ['from 1 to 179']],
    [
      'rotate-after-days fraction',
      { 'rotate-after-days': '1.5' },
      {},
      'rotate-after-days',
      ['`1.5` is not a whole number'],
    ],
    [
      'max-wait-seconds negative',
      { 'max-wait-seconds': '-1' },
      {},
      'max-wait-seconds',
      ['`-1` is not a whole number from 0 to 3600'],
    ],
    ['max-wait-seconds too long', { 'max-wait-seconds': '3601' }, {}, 'max-wait-seconds', ['from 0 to 3600']],
    [
      'state-retention-days 401',
      { 'state-retention-days': '401' },
      {},
      'state-retention-days',
      ['from 1 to 400'],
    ],
    [
      'state-retention-days words',
      { 'state-retention-days': 'ninety' },
      {},
      'state-retention-days',
      ['`ninety` is not a whole number'],
    ],
    [
      'description too long',
      { description: 'd'.repeat(201) },
      {},
      'description',
      ['input `description`: is 201 characters long — shorten it to at most 200'],
    ],
    [
      'artifact name with a slash',
      { 'state-artifact-name': 'sfmc/rotation' },
      {},
      'state-artifact-name',
      ['`sfmc/rotation` contains a character artifact names cannot hold'],
    ],
    [
      'artifact name with a colon',
      { 'state-artifact-name': 'sfmc:rotation' },
      {},
      'state-artifact-name',
      ['cannot hold'],
    ],
    [
      'no GITHUB_REPOSITORY',
      {},
      { GITHUB_REPOSITORY: undefined },
      'GITHUB_REPOSITORY',
      ['environment variable `GITHUB_REPOSITORY`: is not set — the action must run inside GitHub Actions'],
    ],
    [
      'malformed GITHUB_REPOSITORY',
      {},
      { GITHUB_REPOSITORY: 'just-a-name' },
      'GITHUB_REPOSITORY',
      ['`just-a-name` is not OWNER/REPO'],
    ],
    [
      'no GITHUB_RUN_ID',
      {},
      { GITHUB_RUN_ID: '' },
      'GITHUB_RUN_ID',
      ['environment variable `GITHUB_RUN_ID`: is not set'],
    ],
    [
      'bad GITHUB_RUN_ATTEMPT',
      {},
      { GITHUB_RUN_ATTEMPT: '0' },
      'GITHUB_RUN_ATTEMPT',
      ['`0` is not a positive integer'],
    ],
    [
      'bad GITHUB_API_URL',
      {},
      { GITHUB_API_URL: 'http://api.github.example' },
      'GITHUB_API_URL',
      ['environment variable `GITHUB_API_URL`: uses http'],
    ],
    [
      'GitHub Enterprise Server',
      {},
      {
        GITHUB_SERVER_URL: 'https://github.example.com',
        GITHUB_API_URL: 'https://github.example.com/api/v3',
      },
      'GITHUB_SERVER_URL',
      ['`github.example.com` is a GitHub Enterprise Server', 'not supported on GitHub Enterprise Server'],
    ],
    [
      'github-timeout-seconds out of range',
      { 'github-timeout-seconds': '0' },
      {},
      'github-timeout-seconds',
      ['`0` is not a whole number from 1 to 300'],
    ],
  ];
  it.each(cases)('%s', (_name, inputs, env, subject, fragments) => {
    const error = errorOf(inputs, env);
    expect(error.subject).toBe(subject);
    expect(error.message.split('\n')).toHaveLength(1);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    expect(error.message).toMatch(/ — /);
  });

  it('collects every problem, in input order, with the runner context last', () => {
    const error = errorOf(
      {
        mode: 'sometimes',
        subdomain: '',
        'client-id': 'short',
        'github-token': '',
        destinations: 'repo:o\nrepo:o/r\nrepo:o/r',
        'rotate-after-days': '365',
        'state-artifact-name': 'a|b',
      },
      { GITHUB_RUN_ID: undefined },
    );
    expect(error.subject).toBe('mode');
    expect(
      error.message.split('\n').map((line) => line.slice(0, line.indexOf(':', line.indexOf('`', 8)))),
    ).toEqual([
      'input `mode`',
      'input `subdomain`',
      'input `client-id`',
      'input `github-token`',
      'input `destinations` line 1',
      'input `destinations` line 3',
      'input `rotate-after-days`',
      'input `state-artifact-name`',
      'environment variable `GITHUB_RUN_ID`',
    ]);
  });

  it('never puts a secret input value in a message', () => {
    const { 'client-secret': clientSecret, 'github-token': githubToken } = secrets;
    const error = errorOf({
      ...secrets,
      // Secrets pasted into the wrong, echoed inputs.
      'client-id': `${clientSecret}!`,
      subdomain: `${githubToken}.example`,
      'account-id': secrets['admin-client-secret'],
      destinations: `repo:${secrets['staged-client-secret']}`,
      escrow: `repo:o/r name=${secrets['state-token']}-`,
      'state-artifact-name': `x/${clientSecret}`,
      'admin-client-id': '',
    });
    expect(error.message.split('\n')).toHaveLength(7);
    for (const value of Object.values(secrets)) expect(error.message).not.toContain(value);
    expect(error.message).toContain('***');
  });

  it('does not echo a URL that may carry credentials', () => {
    const error = errorOf({
      management: 'api',
      'management-url': `http://admin:${secrets['admin-client-secret']}@mgmt.internal.test/x?y`,
    });
    expect(error.message).not.toContain('mgmt.internal.test');
    expect(error.message).not.toContain(secrets['admin-client-secret']);
    expect(error.message.split('\n')).toHaveLength(3);
  });
});

describe('action.yml', () => {
  const yaml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');
  const section = (name: string): string[] => {
    const body = yaml.split(new RegExp(`^${name}:$`, 'm'))[1]?.split(/^\S/m)[0] ?? '';
    return [...body.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1] ?? '');
  };

  it('declares exactly the inputs parseInputs reads', () => {
    const read = new Set<string>();
    parseInputs((name) => {
      read.add(name);
      return baseInputs[name] ?? '';
    }, baseEnv);
    expect(section('inputs').sort()).toEqual([...read].sort());
  });

  it('runs on node24 from dist/index.js and declares the outputs', () => {
    expect(yaml).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js$/m);
    expect(section('outputs')).toEqual([
      'phase',
      'rotated',
      'staged-at',
      'activated-at',
      'expires-at',
      'next-rotation-at',
      'destinations-updated',
      'state-artifact-id',
    ]);
  });
});
