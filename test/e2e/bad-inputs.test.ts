// Bad inputs and bad situations, end to end through dist/index.js: each run
// fails with one `::error` annotation that names what is at fault and what to
// do, and changes nothing on either emulator.
import { describe, it } from 'vitest';
import type { TokenGrant } from '../emulators/github/index.ts';
import { MC_ROUTES } from '../emulators/marketing-cloud/index.ts';
import { findLeaks } from '../support/leak-scan.ts';
import { errorAnnotations } from '../support/runner.ts';
import { ORG, OWNER, REPO, SECRET, World } from '../support/world.ts';
import { mark, writesSince } from './support-no-writes.ts';

interface Arranged {
  /** Inputs over World's defaults (`undefined` removes one). */
  inputs: Record<string, string | undefined>;
  clientSecretFrom?: 'none';
  /** What the annotation title names: an input, a destination id or a service. */
  subject: string;
  /** Fragments of the annotation's text: what is wrong, and what to do. */
  says: string[];
  /** Values besides the world's secrets that must appear nowhere the run wrote. */
  hidden?: string[];
}

interface BadCase {
  name: string;
  /** May set the world up (a package, a token) before it says what to run. */
  arrange: (world: World) => Arranged;
}

const SUBDOMAIN = 'mc563885gzs27c5t9-63k636ttgm';

/** An input rejected while the inputs are parsed, before any request. */
function input(name: string, value: string, says: string[]): BadCase {
  return {
    name: `${name} = ${JSON.stringify(value)}`,
    arrange: () => ({ inputs: { [name]: value }, subject: name, says: [`input \`${name}\``, ...says] }),
  };
}

/** A single destination line rejected by the grammar. */
function destinationLine(line: string, says: string[]): BadCase {
  return {
    name: `destination line ${JSON.stringify(line)}`,
    arrange: () => ({
      inputs: { destinations: line },
      subject: 'destinations',
      says: [`input \`destinations\` line 1: \`${line}\``, ...says],
    }),
  };
}

/** A token with these permissions on the repository only. */
function repoToken(world: World, permissions: TokenGrant['permissions']): string {
  return world.gh.addToken({ repositories: [`${OWNER}/${REPO}`], permissions });
}

const tokenAdvice = "The workflow's GITHUB_TOKEN cannot write secrets: use a GitHub App installation token";

// Cases that get as far as the emulators take longest: they come first, to overlap the rest.
const cases: BadCase[] = [
  {
    name: 'auth-url on a host where nothing can answer',
    arrange: () => ({
      inputs: { 'auth-url': 'http://127.0.0.1:1/v2/token' },
      subject: 'auth-url',
      says: [
        'The token URL http://127.0.0.1:1/v2/token cannot be reached (fetch refuses to connect to that port)',
        'Check subdomain / auth-url: it must point at https://<subdomain>.auth.marketingcloudapis.com/v2/token',
      ],
    }),
  },
  {
    // `.invalid` never resolves (RFC 6761); the reason depends on the resolver
    // (ENOTFOUND, or EAI_AGAIN where there is none), so it is not asserted.
    name: 'management-url on an unknown host',
    arrange: () => ({
      inputs: { 'management-url': 'https://sfmc-management.invalid' },
      subject: 'management-url',
      says: [
        'The management service at https://sfmc-management.invalid/platform/v1/oauth/clients/',
        '/secrets cannot be reached (',
        'Check management-url. Either use `management: setup`',
      ],
    }),
  },
  {
    // GitHub's API answers the contract's path with its own 404 JSON, not the contract's envelope.
    name: 'management-url that is not the management API',
    arrange: (world) => ({
      inputs: { 'management-url': world.gh.url },
      subject: 'management-url',
      says: [
        `management-url ${world.gh.url} does not serve the management contract: asked to read the secret status, it answered 404`,
        'Either use `management: setup` (a person clicks Generate and Activate in Setup; works on every tenant), ' +
          'or point management-url at a service that implements docs/management-api.openapi.yaml.',
      ],
    }),
  },
  {
    name: 'management-url answering an HTML page',
    arrange: (world) => {
      world.mc.server.faults.inject({
        route: MC_ROUTES.status,
        mode: {
          kind: 'status',
          status: 200,
          body: '<!doctype html><title>Sign in</title>',
          headers: { 'content-type': 'text/html' },
        },
      });
      return {
        inputs: {},
        subject: 'management-url',
        says: [
          'does not serve the management contract',
          'it answered 200 with an HTML page',
          '`management: setup`',
        ],
      };
    },
  },
  {
    name: 'auth-url that is not a token endpoint (GitHub)',
    arrange: (world) => ({
      inputs: { 'auth-url': `${world.gh.url}/v2/token` },
      subject: 'auth-url',
      says: [
        `Marketing Cloud's token endpoint ${world.gh.url}/v2/token refused the request (404)`,
        'Check subdomain / auth-url',
      ],
    }),
  },
  {
    name: 'unknown client id',
    arrange: () => ({
      inputs: { 'client-id': 'UnknownClient123' },
      subject: 'client-secret',
      says: ['for client UnknownClient123 (401 invalid_client: Unknown client id.)', 'nothing was changed'],
    }),
  },
  {
    name: 'account-id of a business unit the package is not installed in',
    arrange: (world) => ({
      inputs: { 'account-id': '999999999' },
      subject: 'client-secret',
      says: [
        `for client ${world.clientId} (401 invalid_client: The package is not installed in that account.)`,
      ],
    }),
  },
  {
    name: 'wrong current client secret',
    arrange: (world) => ({
      inputs: { 'client-secret': 'not-the-current-secret-4711' },
      subject: 'client-secret',
      says: [
        `Marketing Cloud rejects client-secret for client ${world.clientId} (401 invalid_client`,
        `Pass the secret your workflow holds now (for example \${{ secrets.${SECRET} }})`,
      ],
      hidden: ['not-the-current-secret-4711'],
    }),
  },
  {
    name: 'admin package the management service does not allow',
    arrange: (world) => {
      const admin = world.mc.addPackage({ admin: false });
      return {
        inputs: { 'admin-client-id': admin.clientId, 'admin-client-secret': admin.clientSecret },
        subject: 'admin-client-id',
        says: [
          `The management service does not let package ${admin.clientId} read the secret status (403`,
          'allow this package there, or set admin-client-id and admin-client-secret to a package it allows',
        ],
      };
    },
  },
  {
    name: 'admin package with a wrong secret',
    arrange: (world) => {
      const admin = world.mc.addPackage({ admin: true });
      return {
        inputs: { 'admin-client-id': admin.clientId, 'admin-client-secret': 'not-the-admin-secret-0815' },
        subject: 'admin-client-secret',
        says: [
          `The management API needs an admin token, but Marketing Cloud rejected the credentials of client id ${admin.clientId}`,
          'Check admin-client-id and admin-client-secret',
        ],
        hidden: ['not-the-admin-secret-0815'],
      };
    },
  },
  {
    name: 'github-token without the Secrets permission',
    arrange: (world) => ({
      inputs: { 'github-token': repoToken(world, { metadata: 'read', actions: 'read' }) },
      subject: `repo:${OWNER}/${REPO}`,
      says: [
        'GitHub answered 403 while reading the public key',
        `lacks the repository permission "Secrets: write" (GitHub App: \`secrets: write\`) on repository ${OWNER}/${REPO}.`,
        tokenAdvice,
      ],
    }),
  },
  {
    name: 'github-token that cannot see the repository',
    arrange: (world) => ({
      inputs: {
        'github-token': world.gh.addToken({
          repositories: [`${OWNER}/other`],
          permissions: { secrets: 'write' },
        }),
      },
      subject: `repo:${OWNER}/${REPO}`,
      says: [
        'GitHub answered 404 while reading the public key',
        `lacks the repository permission "Secrets: write" (GitHub App: \`secrets: write\`) on repository ${OWNER}/${REPO} (or that does not exist)`,
        tokenAdvice,
      ],
    }),
  },
  {
    name: 'github-token that GitHub does not know',
    arrange: () => ({
      inputs: { 'github-token': 'ghs_revoked0000000000000000000000000000' },
      subject: `repo:${OWNER}/${REPO}`,
      says: ['GitHub answered 401 while reading the public key: the github-token is invalid or expired'],
    }),
  },
  {
    name: 'destination repository that does not exist',
    arrange: () => ({
      inputs: { destinations: `repo:${OWNER}/nope` },
      subject: `repo:${OWNER}/nope`,
      says: ['GitHub answered 404', `on repository ${OWNER}/nope (or that does not exist)`],
    }),
  },
  {
    name: 'destination environment that does not exist',
    arrange: () => ({
      inputs: { destinations: `environment:${OWNER}/${REPO}:staging` },
      subject: `environment:${OWNER}/${REPO}:staging`,
      says: [
        `environment "staging" does not exist in ${OWNER}/${REPO}`,
        'create it (Settings > Environments) or fix the environment name',
      ],
    }),
  },
  {
    name: 'organization repository in repositories= that does not exist',
    arrange: () => ({
      inputs: { destinations: `org:${ORG} visibility=selected repositories=web,ghost` },
      subject: `org:${ORG} visibility=selected repositories=ghost,web`,
      says: [
        `repository ${ORG}/ghost (listed in repositories=) does not exist or the github-token cannot see it`,
        'fix the name or give the token access to that repository',
      ],
    }),
  },
  {
    name: 'state-token without actions: read',
    arrange: (world) => ({
      inputs: { 'state-token': repoToken(world, { secrets: 'write' }) },
      subject: 'state-token',
      says: [
        `Cannot read the state artifact list of ${OWNER}/${REPO} (HTTP 403`,
        `The state-token input needs "actions: read" on the repository ${OWNER}/${REPO}`,
      ],
    }),
  },

  // Marketing Cloud inputs.
  {
    name: 'subdomain holding a pasted URL',
    arrange: () => ({
      inputs: { 'auth-url': undefined, subdomain: `https://${SUBDOMAIN}.auth.marketingcloudapis.com/` },
      subject: 'subdomain',
      says: ['looks like a URL or host name', `set \`subdomain\` to just \`${SUBDOMAIN}\``],
    }),
  },
  {
    name: 'subdomain in upper case',
    arrange: () => ({
      inputs: { 'auth-url': undefined, subdomain: SUBDOMAIN.toUpperCase() },
      subject: 'subdomain',
      says: ['is not a Marketing Cloud subdomain', 'use lowercase letters, digits and hyphens only'],
    }),
  },
  {
    name: 'neither subdomain nor auth-url',
    arrange: () => ({
      inputs: { 'auth-url': undefined },
      subject: 'subdomain',
      says: ['neither `subdomain` nor `auth-url` is set', 'set `subdomain` to your tenant subdomain'],
    }),
  },
  input('auth-url', `http://${SUBDOMAIN}.auth.marketingcloudapis.com/v2/token`, [
    'uses http',
    'use https (http is accepted only for 127.0.0.1, localhost and [::1])',
  ]),
  input('auth-url', `https://${SUBDOMAIN}.auth.marketingcloudapis.com/v1/token`, [
    'its path `/v1/token` does not end with /v2/token',
    'use the base URI or the token URL',
  ]),
  {
    name: 'auth-url carrying credentials',
    arrange: () => ({
      inputs: { 'auth-url': 'https://user:hunter2-hunter2@example.com/v2/token' },
      subject: 'auth-url',
      says: ['contains credentials', 'remove the user:password@ part'],
      hidden: ['hunter2-hunter2'],
    }),
  },
  {
    name: 'missing client-secret',
    arrange: () => ({
      inputs: {},
      clientSecretFrom: 'none',
      subject: 'client-secret',
      says: [
        'input `client-secret`: is required but empty',
        'pass the current client secret from a GitHub secret',
      ],
    }),
  },
  {
    name: 'admin-client-id without admin-client-secret',
    arrange: (world) => ({
      inputs: { 'admin-client-id': world.clientId },
      subject: 'admin-client-secret',
      says: [
        'input `admin-client-secret`: is required but empty',
        'set both `admin-client-id` and `admin-client-secret`, or neither',
      ],
    }),
  },
  input('account-id', 'MID-123', ['is not a MID', 'use the numeric business unit id (MID)']),

  // GitHub inputs.
  input('github-token', '', ['is required but empty', 'the workflow GITHUB_TOKEN cannot write secrets']),
  input('secret-name', '1SFMC_SECRET', ['`1SFMC_SECRET` must not start with a digit']),
  input('secret-name', 'GITHUB_SFMC_SECRET', ['must not start with GITHUB_ (GitHub reserves that prefix)']),
  input('secret-name', 'SFMC-CLIENT-SECRET', [
    'may contain only letters, digits and underscores',
    'e.g. `SFMC_CLIENT_SECRET`',
  ]),
  destinationLine(`repository:${OWNER}/${REPO}`, [
    'unknown kind `repository`',
    'start the line with one of repo:, environment:, org:, dependabot:, dependabot-org:',
  ]),
  destinationLine(`org:${ORG}`, ['visibility= is missing', 'add visibility=all, private or selected']),
  destinationLine(`org:${ORG} visibility=selected`, [
    'visibility=selected needs repositories=',
    'list the repositories that may read the secret',
  ]),
  destinationLine(`org:${ORG} visibility=private repositories=web`, [
    'repositories= applies only with visibility=selected, not private',
    'remove repositories= or use visibility=selected',
  ]),
  destinationLine(`repo:${OWNER}`, [`\`${OWNER}\` is not OWNER/REPO`, 'name the repository as owner/name']),
  destinationLine(`org:${ORG} visibility=selected repositories=web,../api`, [
    '`../api` in repositories= is not a repository name',
  ]),
  destinationLine(`repo:${OWNER}/${REPO} visibility=all`, [
    'unknown option `visibility` for a repo line',
    'use only name=',
  ]),
  {
    name: 'the same secret twice in destinations',
    arrange: () => ({
      inputs: { destinations: `repo:${OWNER}/${REPO}\nrepo:Octo/App` },
      subject: 'destinations',
      says: ['input `destinations` line 2', 'writes the same secret as line 1', 'remove one of them'],
    }),
  },
  {
    name: 'escrow secret that a destination writes',
    arrange: () => ({
      inputs: { destinations: `repo:${OWNER}/${REPO}\nrepo:${OWNER}/${REPO} name=${SECRET}_STAGED` },
      subject: 'escrow',
      says: [
        `the escrow secret \`repo:${OWNER}/${REPO} name=${SECRET}_STAGED\` is also the destination`,
        'the escrow must be a secret no consumer reads',
      ],
    }),
  },
  input('escrow', `environment:${OWNER}/${REPO}`, [`is not OWNER/REPO:ENVIRONMENT`]),

  // Numbers and modes.
  input('rotate-after-days', '0', [
    '`0` is not a whole number from 1 to 179',
    'Marketing Cloud expires a secret 180 days',
  ]),
  input('rotate-after-days', '180', ['`180` is not a whole number from 1 to 179']),
  input('rotate-after-days', 'abc', ['`abc` is not a whole number from 1 to 179', 'the default is 150']),
  input('max-wait-seconds', '-5', ['`-5` is not a whole number from 0 to 3600']),
  input('state-retention-days', '0', ['`0` is not a whole number from 1 to 400']),
  input('mode', 'rotation', [
    '`rotation` is not a mode',
    'use one of auto, rotate, stage, activate, status, plan',
  ]),
  input('management', 'manual', ['`manual` is not a way of managing secrets', 'use `setup`', 'or `api`']),
  {
    name: 'management api without management-url',
    arrange: () => ({
      inputs: { 'management-url': undefined },
      subject: 'management-url',
      says: [
        'input `management-url`: is required but empty',
        'implementing docs/management-api.openapi.yaml, or use `management: setup`',
      ],
    }),
  },
  {
    name: 'management-url with management setup',
    // Named explicitly: the world drops its default management-url from a setup workflow.
    arrange: (world) => ({
      inputs: { management: 'setup', 'management-url': world.mc.url },
      subject: 'management-url',
      says: ['input `management-url`: applies only with `management: api`'],
    }),
  },
  {
    name: 'admin-client-id with the default management (setup)',
    arrange: (world) => ({
      inputs: { management: undefined, 'management-url': undefined, 'admin-client-id': world.clientId },
      subject: 'admin-client-id',
      says: ['input `admin-client-id`: applies only with `management: api`'],
    }),
  },
  input('reminder-issue', 'true', ['applies only with `management: setup`']),
  {
    name: 'several problems at once, all reported',
    arrange: () => ({
      inputs: { mode: 'rotation', 'rotate-after-days': '0', destinations: `org:${ORG}` },
      subject: 'mode',
      says: [
        'input `mode`: `rotation` is not a mode',
        'input `destinations` line 1: `org:acme`: visibility= is missing',
        'input `rotate-after-days`: `0` is not a whole number',
      ],
    }),
  },
];

describe.concurrent('bad input fails clearly and changes nothing', () => {
  it.for(cases)('$name', async ({ arrange }, { expect }) => {
    const world = await World.create({ windowMs: 300 });
    try {
      const arranged = arrange(world);
      const before = mark(world);
      const run = await world.run({ inputs: arranged.inputs, clientSecretFrom: arranged.clientSecretFrom });

      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      const errors = errorAnnotations(run.stdout);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.title).toBe(`sfmc-secret-rotation: ${arranged.subject}`);
      for (const fragment of arranged.says) expect(errors[0]?.message).toContain(fragment);

      expect(writesSince(world, before)).toEqual([]);
      expect(world.mc.history(world.clientId)).toEqual([]);
      expect(world.gh.secretNames(World.repoScope)).toEqual([SECRET]);
      expect(world.gh.secretValue(World.repoScope, SECRET)).toBe(world.initialSecret);
      expect(world.leaks()).toEqual([]);
      const { 'github-token': githubToken, 'state-token': stateToken } = {
        ...world.defaultInputs(),
        ...arranged.inputs,
      };
      const hidden = [...(arranged.hidden ?? []), githubToken, stateToken].filter((v): v is string => !!v);
      expect(findLeaks(world.texts(), hidden)).toEqual([]);
      expect(world.gh.validationFailures).toEqual([]);
    } finally {
      await world.stop();
    }
  });
});
