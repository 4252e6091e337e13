import { describe, expect, it } from 'vitest';
import type { Destination } from '../src/config.ts';
import {
  parseDestinationLine,
  parseDestinations,
  renameDestination,
  secretKey,
  secretNameProblem,
} from '../src/destinations.ts';
import { InputError } from '../src/errors.ts';

const defaults = { secretName: 'sfmc_client_secret' };

function errorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseDestinationLine: every kind', () => {
  const cases: [string, Destination][] = [
    [
      'repo:octo-org/app',
      { kind: 'repo', id: 'repo:octo-org/app', name: 'SFMC_CLIENT_SECRET', owner: 'octo-org', repo: 'app' },
    ],
    [
      'repo:Octo.Org_1/my.app-2',
      {
        kind: 'repo',
        id: 'repo:Octo.Org_1/my.app-2',
        name: 'SFMC_CLIENT_SECRET',
        owner: 'Octo.Org_1',
        repo: 'my.app-2',
      },
    ],
    [
      'environment:octo-org/app:production',
      {
        kind: 'environment',
        id: 'environment:octo-org/app:production',
        name: 'SFMC_CLIENT_SECRET',
        owner: 'octo-org',
        repo: 'app',
        environment: 'production',
      },
    ],
    [
      'environment:octo-org/app:team/eu:prod',
      {
        kind: 'environment',
        id: 'environment:octo-org/app:team/eu:prod',
        name: 'SFMC_CLIENT_SECRET',
        owner: 'octo-org',
        repo: 'app',
        environment: 'team/eu:prod',
      },
    ],
    [
      'org:octo-org visibility=all',
      {
        kind: 'org',
        id: 'org:octo-org visibility=all',
        name: 'SFMC_CLIENT_SECRET',
        org: 'octo-org',
        visibility: 'all',
      },
    ],
    [
      'org:octo-org visibility=private',
      {
        kind: 'org',
        id: 'org:octo-org visibility=private',
        name: 'SFMC_CLIENT_SECRET',
        org: 'octo-org',
        visibility: 'private',
      },
    ],
    [
      '  org:octo-org   repositories=web,api   visibility=selected  ',
      {
        kind: 'org',
        id: 'org:octo-org visibility=selected repositories=api,web',
        name: 'SFMC_CLIENT_SECRET',
        org: 'octo-org',
        visibility: 'selected',
        repositories: ['api', 'web'],
      },
    ],
    [
      'dependabot:octo-org/app',
      {
        kind: 'dependabot',
        id: 'dependabot:octo-org/app',
        name: 'SFMC_CLIENT_SECRET',
        owner: 'octo-org',
        repo: 'app',
      },
    ],
    [
      'dependabot-org:octo-org visibility=selected repositories=app',
      {
        kind: 'dependabot-org',
        id: 'dependabot-org:octo-org visibility=selected repositories=app',
        name: 'SFMC_CLIENT_SECRET',
        org: 'octo-org',
        visibility: 'selected',
        repositories: ['app'],
      },
    ],
    [
      'repo:octo-org/app name=legacy_secret',
      {
        kind: 'repo',
        id: 'repo:octo-org/app name=LEGACY_SECRET',
        name: 'LEGACY_SECRET',
        owner: 'octo-org',
        repo: 'app',
      },
    ],
    [
      'org:octo-org name=Other visibility=all',
      {
        kind: 'org',
        id: 'org:octo-org visibility=all name=OTHER',
        name: 'OTHER',
        org: 'octo-org',
        visibility: 'all',
      },
    ],
    [
      // name= equal to the default (case-insensitively) is not repeated in the id.
      'dependabot:octo-org/app name=Sfmc_Client_Secret',
      {
        kind: 'dependabot',
        id: 'dependabot:octo-org/app',
        name: 'SFMC_CLIENT_SECRET',
        owner: 'octo-org',
        repo: 'app',
      },
    ],
  ];
  it.each(cases)('%s', (line, expected) => {
    expect(parseDestinationLine(line, defaults)).toEqual(expected);
  });

  it('gives ids that parse back to the same destination', () => {
    for (const [line] of cases) {
      const parsed = parseDestinationLine(line, defaults);
      expect(parseDestinationLine(parsed.id, defaults)).toEqual(parsed);
    }
  });
});

describe('parseDestinationLine: errors quote the line, say what is wrong and show an example', () => {
  const cases: [string, string[]][] = [
    [
      'secrets:octo-org/app',
      ['`secrets:octo-org/app`', 'unknown kind `secrets`', 'e.g. `repo:octo-org/app`'],
    ],
    ['octo-org/app', ['has no `<kind>:` prefix', 'repo:, environment:, org:, dependabot:, dependabot-org:']],
    ['repo:octo-org', ['`octo-org` is not OWNER/REPO', 'e.g. `repo:octo-org/app`']],
    ['repo:octo-org/app/extra', ['is not OWNER/REPO']],
    ['repo:octo org/app', ['`org/app` is not a key=value option']],
    ['repo:octo-org/..', ['`octo-org/..` is not OWNER/REPO']],
    ['dependabot:oct@/app', ['is not OWNER/REPO', 'e.g. `dependabot:octo-org/app`']],
    [
      'environment:octo-org/app',
      ['is not OWNER/REPO:ENVIRONMENT', 'e.g. `environment:octo-org/app:production`'],
    ],
    ['environment:octo-org/app:', ['is not OWNER/REPO:ENVIRONMENT']],
    [
      'environment:octo-org/app:Production EU',
      ['`EU` is not a key=value option', 'containing spaces cannot be written'],
    ],
    [`environment:octo-org/app:${'e'.repeat(256)}`, ['longer than 255 characters']],
    ['environment:octo-org/app:..', ['the environment name `..` would be read as a URL path step']],
    ['environment:octo-org/app:.', ['the environment name `.` would be read as a URL path step']],
    ['org:octo_org visibility=all', ['`octo_org` is not an organization name', 'letters, digits and `-`']],
    [
      'org:octo-org',
      [
        'visibility= is missing',
        'could silently widen or narrow who can read an existing organization secret',
        'e.g. `org:octo-org visibility=private`',
      ],
    ],
    ['dependabot-org:octo-org', ['visibility= is missing']],
    ['org:octo-org visibility=public', ['visibility `public` is not one of all, private, selected']],
    [
      'org:octo-org visibility=selected',
      [
        'visibility=selected needs repositories=',
        'e.g. `org:octo-org visibility=selected repositories=app,api`',
      ],
    ],
    [
      'org:octo-org visibility=all repositories=app',
      ['repositories= applies only with visibility=selected, not all', 'remove repositories='],
    ],
    [
      'org:octo-org visibility=selected repositories=app,,api',
      ['`` in repositories= is not a repository name'],
    ],
    [
      'org:octo-org visibility=selected repositories=app,a/b',
      ['`a/b` in repositories= is not a repository name'],
    ],
    ['org:octo-org visibility=selected repositories=app,App', ['repository `App` is listed twice']],
    ['repo:octo-org/app visibility=all', ['unknown option `visibility` for a repo line', 'use only name=']],
    [
      'org:octo-org visibility=all colour=red',
      ['unknown option `colour`', 'name=, visibility=, repositories='],
    ],
    ['repo:octo-org/app name=A name=B', ['`name=` is given twice']],
    ['repo:octo-org/app name=', ['`name=` has no value']],
    [
      'repo:octo-org/app name=MY-SECRET',
      ['secret name `MY-SECRET` may contain only letters, digits and underscores'],
    ],
    ['repo:octo-org/app name=1SECRET', ['must not start with a digit']],
    ['repo:octo-org/app name=github_token', ['must not start with GITHUB_', 'name=SFMC_CLIENT_SECRET']],
  ];
  it.each(cases)('%s', (line, fragments) => {
    const error = errorOf(() => parseDestinationLine(line, defaults));
    expect(error.message.startsWith(`\`${line.trim()}\`: `)).toBe(true);
    expect(error.message).toContain(' — ');
    expect(error.message).toMatch(/e\.g\. `[^`]+`$/);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
  });

  it('blames the default secret name when the line has no name=', () => {
    const error = errorOf(() => parseDestinationLine('repo:octo-org/app', { secretName: 'GITHUB_X' }));
    expect(error.message).toContain('secret name `GITHUB_X` must not start with GITHUB_');
  });

  it('shows that each example it suggests parses', () => {
    const examples = cases.flatMap(([line]) => {
      const message = errorOf(() => parseDestinationLine(line, defaults)).message;
      return [...message.matchAll(/e\.g\. `([^`]+)`$/g)].map((m) => m[1] ?? '');
    });
    expect(examples.length).toBe(cases.length);
    for (const example of new Set(examples))
      expect(() => parseDestinationLine(example, defaults)).not.toThrow();
  });
});

describe('secretNameProblem', () => {
  it.each([
    ['SFMC_CLIENT_SECRET', undefined],
    ['_x1', undefined],
    ['github', undefined],
    ['', 'is empty'],
    ['A B', 'may contain only letters, digits and underscores'],
    ['É', 'may contain only letters, digits and underscores'],
    ['9A', 'must not start with a digit'],
    ['Github_Secret', 'must not start with GITHUB_ (GitHub reserves that prefix)'],
  ])('%j', (name, problem) => {
    expect(secretNameProblem(name)).toBe(problem);
  });
});

describe('renameDestination and secretKey', () => {
  it('recomputes the id for a new name', () => {
    const d = parseDestinationLine('environment:o/r:prod', defaults);
    const staged = renameDestination(d, `${d.name}_staged`, defaults);
    expect(staged).toMatchObject({
      name: 'SFMC_CLIENT_SECRET_STAGED',
      id: 'environment:o/r:prod name=SFMC_CLIENT_SECRET_STAGED',
    });
    expect(renameDestination(staged, 'sfmc_client_secret', defaults)).toEqual(d);
  });

  it('identifies a secret by scope and name, case-insensitively; an org secret whatever its visibility', () => {
    const key = (line: string) => secretKey(parseDestinationLine(line, defaults));
    expect(key('repo:Octo/App')).toBe(key('repo:octo/app name=sfmc_client_secret'));
    expect(key('environment:o/r:Prod')).toBe(key('environment:O/R:prod'));
    expect(key('org:acme visibility=all')).toBe(key('org:ACME visibility=selected repositories=x'));
    expect(key('repo:o/r')).not.toBe(key('dependabot:o/r'));
    expect(key('org:acme visibility=all')).not.toBe(key('dependabot-org:acme visibility=all'));
    expect(key('repo:o/r')).not.toBe(key('repo:o/r name=OTHER'));
    expect(key('environment:o/r:a')).not.toBe(key('environment:o/r:b'));
  });
});

describe('parseDestinations', () => {
  it('skips blank lines and comments, keeps order', () => {
    const text = [
      '# where the secret goes',
      '',
      'repo:octo-org/app',
      '   # indented comment',
      '\tenvironment:octo-org/app:prod name=PROD_SECRET',
      'org:octo-org visibility=private',
      '',
    ].join('\r\n');
    expect(parseDestinations(text, defaults, 'destinations').map((d) => d.id)).toEqual([
      'repo:octo-org/app',
      'environment:octo-org/app:prod name=PROD_SECRET',
      'org:octo-org visibility=private',
    ]);
  });

  it('allows one scope twice under different names', () => {
    const text = 'repo:o/r\nrepo:o/r name=COPY';
    expect(parseDestinations(text, defaults, 'destinations')).toHaveLength(2);
  });

  it('rejects two lines that write the same secret', () => {
    const dup = errorOf(() =>
      parseDestinations(
        'org:acme visibility=all\nrepo:o/r\norg:ACME visibility=private name=sfmc_client_secret',
        defaults,
        'destinations',
      ),
    );
    expect(dup.message).toBe(
      'input `destinations` line 3: `org:ACME visibility=private name=sfmc_client_secret` writes the same secret as line 1 — remove one of them, or give one another name, e.g. `org:ACME visibility=private name=OTHER_SECRET`',
    );
  });

  it('collects every bad line into one error, with line numbers, named after the input', () => {
    const error = errorOf(() =>
      parseDestinations('repo:o/r\nrepo:bad\n\nfoo:x\nrepo:o/r', defaults, 'escrow-list'),
    );
    expect(error.subject).toBe('escrow-list');
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^input `escrow-list` line 2: `repo:bad`: `bad` is not OWNER\/REPO — /),
      expect.stringMatching(/^input `escrow-list` line 4: `foo:x`: unknown kind `foo` — /),
      expect.stringMatching(/^input `escrow-list` line 5: `repo:o\/r` writes the same secret as line 1 — /),
    ]);
  });

  it('refuses the environment names . and .. naming the line', () => {
    const error = errorOf(() => parseDestinations('repo:o/r\nenvironment:o/r:..', defaults, 'destinations'));
    expect(error.subject).toBe('destinations');
    expect(error.message).toMatch(
      /^input `destinations` line 2: `environment:o\/r:\.\.`: the environment name/,
    );
  });

  it('keeps environment names that merely contain dots', () => {
    expect(parseDestinationLine('environment:o/r:...', defaults)).toMatchObject({ environment: '...' });
    expect(parseDestinationLine('environment:o/r:v1.2', defaults)).toMatchObject({ environment: 'v1.2' });
  });

  it('rejects a list with no destination', () => {
    const error = errorOf(() => parseDestinations('# nothing\n\n', defaults, 'destinations'));
    expect(error.message).toBe(
      'input `destinations`: lists no destination — add at least one line, e.g. `repo:octo-org/app`',
    );
  });
});
