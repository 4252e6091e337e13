// The GitHub emulator's issues REST API, driven by the real Octokit client
// and checked against the emulator's `issues()` oracle and GitHub's OpenAPI
// description (every response must conform).
import type { Octokit } from 'octokit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubEmulator } from './github/index.ts';
import { failure, githubClient } from './github/testing.ts';

let gh: GitHubEmulator;
let writer: Octokit;
/** Request validation failures the tests provoke on purpose. */
let expectedRequestFailures = 0;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addOrg('acme');
  for (const name of ['create', 'list', 'pages', 'update', 'comment', 'access', 'malformed'])
    gh.addRepo('acme', name);
  gh.addRepo('acme', 'hidden');
  writer = githubClient(
    gh,
    gh.addToken({
      repositories: [
        'acme/create',
        'acme/list',
        'acme/pages',
        'acme/update',
        'acme/comment',
        'acme/access',
        'acme/malformed',
      ],
      permissions: { issues: 'write' },
    }),
  );
});

afterEach(() => {
  expect(gh.validationFailures.filter((f) => f.direction === 'response')).toEqual([]);
  expect(gh.validationFailures.filter((f) => f.direction === 'request')).toHaveLength(
    expectedRequestFailures,
  );
});

afterAll(async () => {
  await gh?.stop();
});

/** Octokit types its routes' parameters; malformed requests need the route as a plain string. */
const untyped = (route: string): string => route;

describe('creating an issue', () => {
  it('answers 201 with a full issue, a Location header, and labels created on first use', async () => {
    const created = await writer.rest.issues.create({
      owner: 'acme',
      repo: 'create',
      title: 'Rotate the secret',
      body: 'Steps to follow',
      labels: ['sfmc-secret-rotation', { name: 'ops' }],
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${gh.url}/repos/acme/create/issues/1`);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      state_reason: null,
      title: 'Rotate the secret',
      body: 'Steps to follow',
      html_url: 'https://github.com/acme/create/issues/1',
      url: `${gh.url}/repos/acme/create/issues/1`,
      comments: 0,
      closed_at: null,
      user: { login: 'sfmc-rotation[bot]', type: 'Bot' },
    });
    expect(created.data.labels).toEqual([
      expect.objectContaining({ name: 'sfmc-secret-rotation', color: 'ededed' }),
      expect.objectContaining({ name: 'ops' }),
    ]);

    const second = await writer.rest.issues.create({ owner: 'acme', repo: 'create', title: 42 });
    expect(second.data).toMatchObject({ number: 2, title: '42', body: null, labels: [] });
    expect(gh.issues('acme', 'create')).toEqual([
      {
        number: 1,
        title: 'Rotate the secret',
        body: 'Steps to follow',
        state: 'open',
        stateReason: null,
        labels: ['sfmc-secret-rotation', 'ops'],
        comments: [],
      },
      { number: 2, title: '42', body: null, state: 'open', stateReason: null, labels: [], comments: [] },
    ]);
  });

  it('reuses a repository label whatever its spelling, and refuses a blank title', async () => {
    const { data } = await writer.rest.issues.create({
      owner: 'acme',
      repo: 'create',
      title: 'Again',
      labels: ['OPS', 'ops'],
    });
    expect(data.labels).toEqual([expect.objectContaining({ name: 'ops' })]);

    const blank = await failure(writer.rest.issues.create({ owner: 'acme', repo: 'create', title: '  ' }));
    expect(blank.status).toBe(422);
    expect(blank.body).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
    });
  });
});

describe('listing issues', () => {
  beforeAll(async () => {
    const make = (title: string, labels: string[]) =>
      writer.rest.issues.create({ owner: 'acme', repo: 'list', title, labels });
    await make('one', ['sfmc-secret-rotation']);
    await make('two', ['bug']);
    await make('three', ['sfmc-secret-rotation', 'bug']);
    await make('four', ['sfmc-secret-rotation']);
    await writer.rest.issues.update({ owner: 'acme', repo: 'list', issue_number: 4, state: 'closed' });
  });

  const titles = async (query: { state?: 'open' | 'closed' | 'all'; labels?: string }) => {
    const { data } = await writer.rest.issues.listForRepo({ owner: 'acme', repo: 'list', ...query });
    return data.map((issue) => issue.title);
  };

  it('answers open issues by default, newest first', async () => {
    expect(await titles({})).toEqual(['three', 'two', 'one']);
  });

  it('filters by state', async () => {
    expect(await titles({ state: 'closed' })).toEqual(['four']);
    expect(await titles({ state: 'all' })).toEqual(['four', 'three', 'two', 'one']);
  });

  it('filters by labels: every listed label must be present, names compared case-insensitively', async () => {
    expect(await titles({ labels: 'sfmc-secret-rotation' })).toEqual(['three', 'one']);
    expect(await titles({ labels: 'SFMC-Secret-Rotation,bug', state: 'all' })).toEqual(['three']);
    expect(await titles({ labels: 'sfmc-secret-rotation', state: 'all' })).toEqual(['four', 'three', 'one']);
    expect(await titles({ labels: 'nothing' })).toEqual([]);
  });
});

describe('pagination', () => {
  it('pages with per_page and page, sends a Link header, and octokit.paginate follows it', async () => {
    for (let i = 1; i <= 5; i++)
      await writer.rest.issues.create({ owner: 'acme', repo: 'pages', title: `#${i}` });
    const first = await writer.rest.issues.listForRepo({ owner: 'acme', repo: 'pages', per_page: 2 });
    expect(first.data.map((i) => i.title)).toEqual(['#5', '#4']);
    expect(first.headers.link).toContain('page=2>; rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    const last = await writer.rest.issues.listForRepo({ owner: 'acme', repo: 'pages', per_page: 2, page: 3 });
    expect(last.data.map((i) => i.title)).toEqual(['#1']);
    expect(last.headers.link).not.toContain('rel="next"');
    expect(last.headers.link).toContain('rel="prev"');

    const all = await writer.paginate(writer.rest.issues.listForRepo, {
      owner: 'acme',
      repo: 'pages',
      per_page: 2,
    });
    expect(all.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('reading and updating an issue', () => {
  it('gets one issue, and answers 404 for a number that does not exist', async () => {
    await writer.rest.issues.create({ owner: 'acme', repo: 'update', title: 'read me', body: 'b' });
    const { data } = await writer.rest.issues.get({ owner: 'acme', repo: 'update', issue_number: 1 });
    expect(data).toMatchObject({ number: 1, title: 'read me', body: 'b', state: 'open' });
    const missing = await failure(
      writer.rest.issues.get({ owner: 'acme', repo: 'update', issue_number: 99 }),
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'Not Found' });
  });

  it('changes title and body, replaces labels, and leaves unnamed fields alone', async () => {
    const { data: issue } = await writer.rest.issues.create({
      owner: 'acme',
      repo: 'update',
      title: 'before',
      body: 'old body',
      labels: ['a'],
    });
    const params = { owner: 'acme', repo: 'update', issue_number: issue.number };
    const { data } = await writer.rest.issues.update({ ...params, title: 'after', body: 'new body' });
    expect(data).toMatchObject({ title: 'after', body: 'new body', state: 'open', labels: [{ name: 'a' }] });
    const relabelled = await writer.rest.issues.update({ ...params, labels: ['b', 'c'] });
    expect(relabelled.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['b', 'c']);
    expect(relabelled.data.title).toBe('after');
  });

  it('closes as completed by default or with the reason given, reopens, and ignores a reason without a state change', async () => {
    const { data: issue } = await writer.rest.issues.create({
      owner: 'acme',
      repo: 'update',
      title: 'close me',
    });
    const params = { owner: 'acme', repo: 'update', issue_number: issue.number };

    const ignored = await writer.rest.issues.update({ ...params, state_reason: 'not_planned' });
    expect(ignored.data).toMatchObject({ state: 'open', state_reason: null });

    const closed = await writer.rest.issues.update({ ...params, state: 'closed' });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(closed.data.closed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(closed.data.closed_by).toMatchObject({ login: 'sfmc-rotation[bot]' });

    const reopened = await writer.rest.issues.update({ ...params, state: 'open' });
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });

    const notPlanned = await writer.rest.issues.update({
      ...params,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(notPlanned.data).toMatchObject({ state: 'closed', state_reason: 'not_planned' });

    const wrong = await failure(
      writer.rest.issues.update({ ...params, state: 'closed', state_reason: 'reopened' }),
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ errors: [{ field: 'state_reason', code: 'invalid' }] });
    expect(gh.issues('acme', 'update').find((i) => i.number === issue.number)).toMatchObject({
      state: 'closed',
      stateReason: 'not_planned',
    });
  });
});

describe('comments', () => {
  it('answers 201 with the comment, counts it on the issue, and refuses a blank one', async () => {
    const { data: issue } = await writer.rest.issues.create({
      owner: 'acme',
      repo: 'comment',
      title: 'talk',
    });
    const params = { owner: 'acme', repo: 'comment', issue_number: issue.number };
    const created = await writer.rest.issues.createComment({ ...params, body: 'Rotation completed.' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      body: 'Rotation completed.',
      issue_url: issue.url,
      html_url: expect.stringMatching(/^https:\/\/github\.com\/acme\/comment\/issues\/1#issuecomment-\d+$/),
      user: { login: 'sfmc-rotation[bot]' },
    });
    expect(created.headers.location).toBe(created.data.url);
    await writer.rest.issues.createComment({ ...params, body: 'Second.' });
    const { data } = await writer.rest.issues.get(params);
    expect(data.comments).toBe(2);
    expect(gh.issues('acme', 'comment')[0]?.comments).toEqual(['Rotation completed.', 'Second.']);

    const blank = await failure(writer.rest.issues.createComment({ ...params, body: '' }));
    expect(blank.status).toBe(422);
    const missing = await failure(
      writer.rest.issues.createComment({ ...params, issue_number: 77, body: 'x' }),
    );
    expect(missing.status).toBe(404);
  });
});

describe('permissions', () => {
  const repo = { owner: 'acme', repo: 'access' };

  it('answers 401 Bad credentials without a token or with an unknown one', async () => {
    for (const client of [githubClient(gh), githubClient(gh, 'ghs_unknown')]) {
      const { status, body } = await failure(client.rest.issues.listForRepo(repo));
      expect(status).toBe(401);
      expect(body).toMatchObject({ message: 'Bad credentials', status: '401' });
    }
  });

  it('lets `issues: read` read but answers 403 to its writes', async () => {
    await writer.rest.issues.create({ ...repo, title: 'existing' });
    const reader = githubClient(
      gh,
      gh.addToken({ repositories: ['acme/access'], permissions: { issues: 'read' } }),
    );
    expect((await reader.rest.issues.listForRepo(repo)).data).toHaveLength(1);
    expect((await reader.rest.issues.get({ ...repo, issue_number: 1 })).data.title).toBe('existing');
    const writes = [
      reader.rest.issues.create({ ...repo, title: 'no' }),
      reader.rest.issues.update({ ...repo, issue_number: 1, state: 'closed' }),
      reader.rest.issues.createComment({ ...repo, issue_number: 1, body: 'no' }),
    ];
    for (const write of writes) {
      const { status, body } = await failure(write);
      expect(status).toBe(403);
      expect(body).toMatchObject({ message: 'Resource not accessible by integration', status: '403' });
    }
    expect(gh.issues('acme', 'access')).toEqual([
      expect.objectContaining({ title: 'existing', state: 'open', comments: [] }),
    ]);
  });

  it('answers 403 to a token that sees the repository without the issues permission', async () => {
    const secretsOnly = githubClient(
      gh,
      gh.addToken({ repositories: ['acme/access'], permissions: { secrets: 'write' } }),
    );
    expect((await failure(secretsOnly.rest.issues.listForRepo(repo))).status).toBe(403);
  });

  it('answers 404 for a repository the token cannot see, and for one that does not exist', async () => {
    for (const target of [
      { owner: 'acme', repo: 'hidden' },
      { owner: 'acme', repo: 'nowhere' },
    ]) {
      const read = await failure(writer.rest.issues.listForRepo(target));
      expect(read).toMatchObject({ status: 404, body: { message: 'Not Found' } });
      const write = await failure(writer.rest.issues.create({ ...target, title: 'x' }));
      expect(write.status).toBe(404);
    }
    expect(gh.issues('acme', 'hidden')).toEqual([]);
  });
});

describe('OpenAPI validation', () => {
  const repo = { owner: 'acme', repo: 'malformed' };

  it('rejects requests that do not conform with 422 and records them, changing nothing', async () => {
    const before = gh.validationFailures.length;
    const stringLabels = await failure(
      writer.request(untyped('POST /repos/{owner}/{repo}/issues'), {
        ...repo,
        title: 't',
        labels: 'sfmc-secret-rotation',
      }),
    );
    const noTitle = await failure(
      writer.request(untyped('POST /repos/{owner}/{repo}/issues'), { ...repo, body: 'b' }),
    );
    const badState = await failure(
      writer.request(untyped('GET /repos/{owner}/{repo}/issues'), { ...repo, state: 'shut' }),
    );
    expectedRequestFailures += 3;
    for (const rejected of [stringLabels, noTitle, badState]) {
      expect(rejected.status).toBe(422);
      expect(rejected.body).toMatchObject({ message: 'Invalid request.' });
    }
    expect(gh.validationFailures.slice(before)).toEqual([
      expect.objectContaining({
        direction: 'request',
        method: 'POST',
        errors: expect.stringContaining('body/labels'),
      }),
      expect.objectContaining({
        direction: 'request',
        method: 'POST',
        errors: expect.stringContaining('title'),
      }),
      expect.objectContaining({
        direction: 'request',
        method: 'GET',
        errors: expect.stringContaining('query/state'),
      }),
    ]);
    expect(gh.issues('acme', 'malformed')).toEqual([]);
  });
});
