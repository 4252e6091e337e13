// The GitHub emulator's workflow run endpoint, driven by the real Octokit
// client: runs set by the harness, `actions: read` required, 404 for a run
// or repository the token cannot see, and every response conforming to the
// OpenAPI `workflow-run` schema.
import type { Octokit } from 'octokit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubEmulator } from './github/index.ts';
import { failure, githubClient } from './github/testing.ts';

let gh: GitHubEmulator;
let reader: Octokit;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addRepo('octo', 'app');
  gh.addRepo('octo', 'other');
  reader = githubClient(gh, gh.addToken({ repositories: ['octo/app'], permissions: { actions: 'read' } }));
});

afterEach(() => {
  expect(gh.validationFailures).toEqual([]);
});

afterAll(async () => {
  await gh?.stop();
});

const getRun = (client: Octokit, run_id: number, repo = 'app') =>
  client.rest.actions.getWorkflowRun({ owner: 'octo', repo, run_id });

describe('GET /repos/{owner}/{repo}/actions/runs/{run_id}', () => {
  it('shows a run as the harness moves it from queued to in progress to completed', async () => {
    gh.setRun('octo', 'app', 4001, 'queued');
    const queued = await getRun(reader, 4001);
    expect(queued.status).toBe(200);
    expect(queued.data).toMatchObject({
      id: 4001,
      status: 'queued',
      conclusion: null,
      url: `${gh.url}/repos/octo/app/actions/runs/4001`,
      repository: { full_name: 'octo/app' },
    });

    gh.setRun('octo', 'app', 4001, 'in_progress');
    expect((await getRun(reader, 4001)).data).toMatchObject({ status: 'in_progress', conclusion: null });

    gh.setRun('octo', 'app', 4001, 'completed', 'failure');
    const completed = await getRun(reader, 4001);
    expect(completed.data).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(Date.parse(completed.data.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(completed.data.created_at),
    );
  });

  it('concludes a completed run `success` unless told otherwise, and refuses a conclusion before then', async () => {
    gh.setRun('octo', 'app', 4002, 'completed');
    expect((await getRun(reader, 4002)).data).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(() => gh.setRun('octo', 'app', 4003, 'in_progress', 'success')).toThrow(/no conclusion/);
  });

  it('shows where a run came from: a push of the repository by default, a fork for its pull request', async () => {
    gh.setRun('octo', 'app', 4006, 'completed');
    expect((await getRun(reader, 4006)).data).toMatchObject({
      event: 'push',
      head_branch: 'main',
      path: '.github/workflows/rotate-sfmc-secret.yml',
      head_repository: { full_name: 'octo/app' },
    });

    gh.addRepo('mallory', 'app-fork', { private: false });
    gh.plantArtifact({
      owner: 'octo',
      repo: 'app',
      runId: 4007,
      name: 'anything',
      bytes: Buffer.from('not even a zip'),
      event: 'pull_request',
      headRepository: 'mallory/app-fork',
      headBranch: 'patch-1',
      path: '.github/workflows/ci.yml',
    });
    const fromFork = (await getRun(reader, 4007)).data;
    expect(fromFork).toMatchObject({
      event: 'pull_request',
      head_branch: 'patch-1',
      path: '.github/workflows/ci.yml',
      status: 'completed',
      repository: { full_name: 'octo/app' },
      head_repository: { full_name: 'mallory/app-fork' },
    });
    expect(fromFork.head_repository.id).not.toBe(fromFork.repository.id);
  });

  it('answers 404 for a run that does not exist', async () => {
    const answer = await failure(getRun(reader, 999_999));
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ message: 'Not Found' });
  });

  it('needs `actions: read`: 403 for a token that sees the repository without it, 404 for one that does not see it', async () => {
    gh.setRun('octo', 'app', 4004, 'in_progress');
    gh.setRun('octo', 'other', 4005, 'in_progress');
    const secretsOnly = githubClient(
      gh,
      gh.addToken({ repositories: ['octo/app'], permissions: { secrets: 'write' } }),
    );
    expect((await failure(getRun(secretsOnly, 4004))).status).toBe(403);
    expect((await failure(getRun(reader, 4005, 'other'))).status).toBe(404);
    expect((await failure(getRun(githubClient(gh, 'ghs_unknown'), 4004))).status).toBe(401);
  });
});
