// The workflow-runs adapter against the GitHub emulator with the real Octokit
// client: a run at work, a finished or missing one, and "could not tell"
// (with the reason logged) when the token may not read Actions or GitHub
// keeps failing; transient failures are retried.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_RETRIES } from '../../src/github/octokit.ts';
import { createWorkflowRuns } from '../../src/github/workflow-runs.ts';
import { GitHubEmulator, type Permission } from '../emulators/github/index.ts';
import { actionOctokit } from '../support/action-octokit.ts';

const RUN_ROUTE = 'GET /repos/:owner/:repo/actions/runs/:run_id';

let gh: GitHubEmulator;

beforeAll(async () => {
  gh = await GitHubEmulator.start();
  gh.addRepo('octo', 'app');
});

afterEach(() => {
  expect(gh.validationFailures).toEqual([]);
});

afterAll(async () => {
  await gh?.stop();
});

function setup(permission: Permission = 'actions') {
  const debug: string[] = [];
  const { octokit, lines } = actionOctokit(
    gh,
    gh.addToken({ repositories: ['octo/app'], permissions: { [permission]: 'read' } }),
  );
  const runs = createWorkflowRuns({
    octokit,
    owner: 'octo',
    repo: 'app',
    log: { debug: (message) => debug.push(message) },
  });
  return { runs, debug, retries: lines };
}

describe('isActive', () => {
  it('is true while the run is queued or in progress, false once it completed', async () => {
    const { runs, debug } = setup();
    gh.setRun('octo', 'app', 5001, 'queued');
    expect(await runs.isActive(5001)).toBe(true);
    gh.setRun('octo', 'app', 5001, 'in_progress');
    expect(await runs.isActive(5001)).toBe(true);
    gh.setRun('octo', 'app', 5001, 'completed', 'cancelled');
    expect(await runs.isActive(5001)).toBe(false);
    expect(debug).toEqual([]);
  });

  it('is false for a run GitHub does not know (deleted, or never existed)', async () => {
    const { runs, debug } = setup();
    expect(await runs.isActive(987_654)).toBe(false);
    expect(debug).toEqual([]);
  });

  it('cannot tell when the token lacks `actions: read`, and logs why', async () => {
    const { runs, debug, retries } = setup('secrets');
    gh.setRun('octo', 'app', 5002, 'in_progress');
    expect(await runs.isActive(5002)).toBeUndefined();
    expect(retries).toEqual([]);
    expect(debug).toEqual([expect.stringMatching(/^Reading workflow run 5002 failed: .*not accessible/i)]);
  });

  it('retries a 503 and answers once GitHub recovers', async () => {
    const { runs, retries } = setup();
    gh.setRun('octo', 'app', 5003, 'in_progress');
    gh.server.faults.inject({ route: RUN_ROUTE, mode: { kind: 'status', status: 503 }, times: 2 });
    expect(await runs.isActive(5003)).toBe(true);
    expect(retries).toEqual([
      'GitHub answered 503 to GET /repos/octo/app/actions/runs/5003',
      'GitHub answered 503 to GET /repos/octo/app/actions/runs/5003',
    ]);
  });

  it('cannot tell when GitHub keeps failing', async () => {
    const { runs, debug, retries } = setup();
    gh.setRun('octo', 'app', 5004, 'in_progress');
    const fault = gh.server.faults.inject({ route: RUN_ROUTE, mode: { kind: 'reset' }, times: 10 });
    expect(await runs.isActive(5004)).toBeUndefined();
    fault.clear();
    // Every attempt failed: the first and octokit's retries.
    expect(retries).toHaveLength(GITHUB_RETRIES + 1);
    expect(debug).toEqual([expect.stringMatching(/^Reading workflow run 5004 failed: /)]);
  });
});
