// The reminder-issue adapter against the GitHub emulator with the real
// Octokit client: one open issue per client id across runs, closed with a
// comment, and clear errors when the token may not write issues.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../../src/errors.ts';
import { GITHUB_RETRIES } from '../../src/github/octokit.ts';
import { createReminderIssues, REMINDER_LABEL } from '../../src/github/reminder-issue.ts';
import { GitHubEmulator } from '../emulators/github/index.ts';
import { githubClient } from '../emulators/github/testing.ts';
import { actionOctokit } from '../support/action-octokit.ts';

const CLIENT = 'abcdefgh12345678';
const OTHER = 'abcdefgh123456789';

let gh: GitHubEmulator;
let repoCount = 0;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
});

afterEach(() => {
  expect(gh.validationFailures).toEqual([]);
});

afterAll(async () => {
  await gh?.stop();
});

const marker = (clientId: string): string => `<!-- sfmc-secret-rotation client=${clientId} -->`;

/**
 * A fresh repository, a token for it, and an adapter over the action's Octokit; `retries` are its
 * lines about failed attempts, and `beforeRetry` runs after a failed POST /issues, before the next request.
 */
function setup(options: { permissions?: { issues?: 'read' | 'write' }; clientId?: string } = {}) {
  const repo = `app${++repoCount}`;
  gh.addRepo('acme', repo);
  const token = gh.addToken({
    repositories: [`acme/${repo}`],
    permissions: options.permissions ?? { issues: 'write' },
  });
  let beforeRetry: () => Promise<void> = async () => {};
  let failedPost = false;
  const hookedFetch: typeof fetch = async (input, init) => {
    if (failedPost) {
      failedPost = false;
      await beforeRetry();
    }
    const response = await fetch(input, init);
    failedPost = init?.method === 'POST' && response.status >= 500;
    return response;
  };
  const { octokit: actionClient, lines } = actionOctokit(gh, token, { fetch: hookedFetch });
  const reminders = (clientId = options.clientId ?? CLIENT) =>
    createReminderIssues({ octokit: actionClient, owner: 'acme', repo, clientId });
  return {
    repo,
    octokit: githubClient(gh, token),
    reminders,
    retries: lines,
    issues: () => gh.issues('acme', repo),
    writes: () => gh.server.writes().filter((e) => e.path.startsWith(`/repos/acme/${repo}/`)),
    onRetry: (hook: () => Promise<void>) => {
      beforeRetry = hook;
    },
  };
}

describe('open', () => {
  it('creates the issue with the label and the hidden marker, then updates it on later runs', async () => {
    const world = setup();
    const first = await world.reminders().open('Rotate soon', 'Stage a new secret in Setup.');
    expect(first).toEqual({ number: 1, url: `https://github.com/acme/${world.repo}/issues/1` });
    expect(world.issues()).toEqual([
      {
        number: 1,
        title: 'Rotate soon',
        body: `Stage a new secret in Setup.\n\n${marker(CLIENT)}`,
        state: 'open',
        stateReason: null,
        labels: [REMINDER_LABEL],
        comments: [],
      },
    ]);

    // A later run: a new adapter, the same client.
    const second = await world.reminders().open('Rotate now', 'The secret expires in 3 days.');
    expect(second).toEqual(first);
    expect(world.issues()).toEqual([
      expect.objectContaining({
        number: 1,
        title: 'Rotate now',
        body: `The secret expires in 3 days.\n\n${marker(CLIENT)}`,
        state: 'open',
      }),
    ]);
  });

  it('writes nothing when the open issue already says the same', async () => {
    const world = setup();
    await world.reminders().open('Rotate soon', 'Same text.');
    const writes = world.writes().length;
    expect(await world.reminders().open('Rotate soon', 'Same text.')).toMatchObject({ number: 1 });
    expect(world.writes()).toHaveLength(writes);
  });

  it('keeps one issue per client id, and ignores labelled issues without its marker', async () => {
    const world = setup();
    await world.octokit.rest.issues.create({
      owner: 'acme',
      repo: world.repo,
      title: 'Someone else’s note',
      body: `Mentions ${CLIENT} but has no marker.`,
      labels: [REMINDER_LABEL],
    });
    const mine = await world.reminders(CLIENT).open('Rotate A', 'a');
    const other = await world.reminders(OTHER).open('Rotate B', 'b');
    expect(await world.reminders(CLIENT).open('Rotate A again', 'a2')).toEqual(mine);
    expect(await world.reminders(OTHER).open('Rotate B again', 'b2')).toEqual(other);
    expect(world.issues().map((i) => [i.number, i.title, i.state])).toEqual([
      [1, 'Someone else’s note', 'open'],
      [2, 'Rotate A again', 'open'],
      [3, 'Rotate B again', 'open'],
    ]);
  });

  it('finds its issue beyond the first page of labelled issues', async () => {
    const world = setup();
    await world.reminders().open('Mine', 'oldest');
    for (let i = 0; i < 100; i++) {
      await world.octokit.rest.issues.create({
        owner: 'acme',
        repo: world.repo,
        title: `other ${i}`,
        body: marker(`other${i}client`),
        labels: [REMINDER_LABEL],
      });
    }
    expect(await world.reminders().open('Mine, updated', 'still oldest')).toMatchObject({ number: 1 });
    expect(world.issues()).toHaveLength(101);
    expect(world.issues()[0]?.title).toBe('Mine, updated');
  });
});

describe('close', () => {
  it('comments on and closes the open issue as completed; the next reminder is a new issue', async () => {
    const world = setup();
    await world.reminders(OTHER).open('Other client', 'b');
    const { number } = await world.reminders().open('Rotate soon', 'a');
    expect(await world.reminders().close('Rotated on 2026-10-01.')).toEqual({ number });
    expect(world.issues().find((i) => i.number === number)).toMatchObject({
      state: 'closed',
      stateReason: 'completed',
      comments: ['Rotated on 2026-10-01.'],
    });
    expect(world.issues().find((i) => i.title === 'Other client')?.state).toBe('open');

    expect(await world.reminders().close('again')).toBeUndefined();
    const next = await world.reminders().open('Rotate soon', 'a');
    expect(next.number).not.toBe(number);
  });

  it('answers undefined and writes nothing when no reminder is open', async () => {
    const world = setup();
    expect(await world.reminders().close('Rotated.')).toBeUndefined();
    expect(world.writes()).toEqual([]);
    expect(world.issues()).toEqual([]);
  });

  it('closes every open duplicate for its client, answering the newest', async () => {
    const world = setup();
    for (const title of ['first', 'second']) {
      await world.octokit.rest.issues.create({
        owner: 'acme',
        repo: world.repo,
        title,
        body: `x\n\n${marker(CLIENT)}`,
        labels: [REMINDER_LABEL],
      });
    }
    expect(await world.reminders().close('Done.')).toEqual({ number: 2 });
    expect(world.issues().map((i) => [i.state, i.comments])).toEqual([
      ['closed', ['Done.']],
      ['closed', ['Done.']],
    ]);
  });
});

describe('permissions', () => {
  it('turns 403 (issues: read only) into a DestinationError about "Issues: write" naming reminder-issue', async () => {
    const world = setup({ permissions: { issues: 'read' } });
    const error = await world
      .reminders()
      .open('t', 'b')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect(error).toMatchObject({ subject: 'reminder-issue' });
    expect((error as Error).message).toMatch(
      /GitHub answered 403 .*"Issues: write" \(GitHub App: `issues: write`\) on acme\/app\d+, or turn reminder-issue off/,
    );
    expect(world.retries).toEqual([]);
    expect(world.issues()).toEqual([]);
  });

  it('gives the same advice for 403 without any issues permission and for 404 on a repository the token cannot see', async () => {
    const world = setup({ permissions: {} });
    const error = await world
      .reminders()
      .close('c')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect((error as DestinationError).subject).toBe('reminder-issue');
    expect((error as Error).message).toMatch(/GitHub answered 403 while closing the reminder issue/);

    const hidden = createReminderIssues({
      octokit: world.octokit,
      owner: 'acme',
      repo: 'not-granted',
      clientId: CLIENT,
    });
    const notFound = await hidden.open('t', 'b').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(DestinationError);
    expect((notFound as Error).message).toMatch(
      /GitHub answered 404 .*"Issues: write" \(GitHub App: `issues: write`\) on acme\/not-granted/,
    );
  });
});

describe('transient failures', () => {
  it('retries a 502 on each call, reporting every retry', async () => {
    const world = setup();
    const faults = [
      gh.server.faults.inject({
        route: 'GET /repos/:owner/:repo/issues',
        mode: { kind: 'status', status: 502 },
      }),
      gh.server.faults.inject({
        route: 'POST /repos/:owner/:repo/issues',
        mode: { kind: 'status', status: 502 },
      }),
    ];
    try {
      expect(await world.reminders().open('t', 'b')).toMatchObject({ number: 1 });
    } finally {
      for (const fault of faults) fault.clear();
    }
    // The GET is repeated by octokit; the failed POST is followed by a look at the open
    // issues (answered) before posting again.
    const path = `/repos/acme/${world.repo}/issues`;
    expect(world.retries).toEqual([
      `GitHub answered 502 to GET ${path}`,
      `GitHub answered 502 to POST ${path}`,
    ]);
    expect(
      gh.server.log.filter((e) => e.path.startsWith(path)).map((e) => `${e.method} ${e.status}`),
    ).toEqual(['GET 502', 'GET 200', 'POST 502', 'GET 200', 'POST 201']);
    expect(world.issues()).toHaveLength(1);
  });

  it('does not open a duplicate when a failed POST created the issue after all', async () => {
    const world = setup();
    const fault = gh.server.faults.inject({
      route: 'POST /repos/:owner/:repo/issues',
      mode: { kind: 'status', status: 502 },
    });
    // The answer was lost, but the issue exists by the time the adapter tries again.
    world.onRetry(async () => {
      await world.octokit.rest.issues.create({
        owner: 'acme',
        repo: world.repo,
        title: 't',
        body: `b\n\n${marker(CLIENT)}`,
        labels: [REMINDER_LABEL],
      });
    });
    try {
      expect(await world.reminders().open('t', 'b')).toMatchObject({ number: 1 });
    } finally {
      fault.clear();
    }
    expect(world.issues()).toHaveLength(1);
  });

  it('gives up after octokit’s attempts with a DestinationError saying to rerun later', async () => {
    const world = setup();
    const fault = gh.server.faults.inject({
      route: 'GET /repos/:owner/:repo/issues',
      times: GITHUB_RETRIES + 1,
      mode: { kind: 'status', status: 503 },
    });
    try {
      const error = await world
        .reminders()
        .open('t', 'b')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DestinationError);
      expect((error as Error).message).toMatch(
        /still failed after retries .*HTTP 503.*rerun the workflow later/,
      );
    } finally {
      fault.clear();
    }
    expect(world.retries).toHaveLength(GITHUB_RETRIES + 1);
    expect(world.issues()).toEqual([]);
  });
});
