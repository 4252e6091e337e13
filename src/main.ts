// The one place that knows both the engine and the adapters: reads inputs,
// wires Marketing Cloud, GitHub and the state store, runs the engine, and
// writes outputs, the job summary and annotations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as actionsCore from '@actions/core';
import type { Config, Credential } from './config.ts';
import { ActionError } from './errors.ts';
import { parseInputs, SECRET_INPUTS } from './inputs.ts';
import { redact } from './redact.ts';
import { bounded, safeLog } from './report/log.ts';
import { outputsOf } from './report/outputs.ts';
import { summaryMarkdown } from './report/summary.ts';
import { type OnRetry, realSleep, type Sleep } from './retry.ts';
import type { RunResult } from './rotation/result.ts';

/**
 * Requests to GitHub in flight at once while preparing and publishing.
 * GitHub's secondary rate limits ("Rate limits for the REST API") allow no
 * more than 100 concurrent requests, shared by the REST and GraphQL APIs and
 * with whatever else uses the token, and in general 80 content-creating
 * requests a minute (500 an hour). Ten stays an order of magnitude under the
 * first; the second is about volume, not concurrency, and no pacing inside
 * one run could keep 100 writes under it without taking over a minute, so a
 * secondary-limit answer is waited out (octokit's throttling plugin) instead.
 */
const GITHUB_WRITE_CONCURRENCY = 10;

type Core = Pick<
  typeof actionsCore,
  | 'getInput'
  | 'setSecret'
  | 'setOutput'
  | 'info'
  | 'warning'
  | 'notice'
  | 'debug'
  | 'error'
  | 'summary'
  | 'group'
>;

export interface MainDeps {
  core: Core;
  env: Record<string, string | undefined>;
  sleep?: Sleep;
  now?: () => number;
}

/** Defence in depth: no message leaves this process with a secret in it, masked or not. */
function scrub(text: string, secrets: string[]): string {
  // A value of a few characters would blot out ordinary words.
  return redact(
    text,
    secrets.filter((s) => s.length >= 4),
    '***',
  );
}

function report(core: Core, error: unknown, secrets: string[]): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const title = err instanceof ActionError ? `sfmc-secret-rotation: ${err.subject}` : 'sfmc-secret-rotation';
  core.error(bounded(scrub(err.message, secrets)), { title });
  process.exitCode = 1;
}

async function writeResult(core: Core, result: RunResult, secrets: string[]): Promise<void> {
  for (const [name, value] of Object.entries(outputsOf(result))) core.setOutput(name, value);
  await core.summary.addRaw(scrub(summaryMarkdown(result), secrets)).write();
}

/** The adapters, loaded only once the inputs are valid (dist/chunks/): a run that fails on them starts in a fraction of the time. */
async function loadAdapters() {
  const [github, reminders, secrets, store, runs, management, token, engine] = await Promise.all([
    import('./github/octokit.ts'),
    import('./github/reminder-issue.ts'),
    import('./github/secrets-client.ts'),
    import('./github/state-store.ts'),
    import('./github/workflow-runs.ts'),
    import('./marketing-cloud/management-client.ts'),
    import('./marketing-cloud/token-client.ts'),
    import('./rotation/engine.ts'),
  ]);
  return {
    ...github,
    ...reminders,
    ...secrets,
    ...store,
    ...runs,
    ...management,
    ...token,
    ...engine,
  };
}
type Adapters = Awaited<ReturnType<typeof loadAdapters>>;

interface Wiring {
  adapters: Adapters;
  config: Config;
  core: Core;
  /** Every secret to scrub from messages; access tokens are added as they are issued. */
  secrets: string[];
  log: ReturnType<typeof safeLog>;
  sleep: Sleep;
  now: () => number;
  onRetry: OnRetry;
}

/** The token endpoint, and the management API when `management` is `api`. */
function marketingCloudPorts(w: Wiring, adminCredential: () => Credential) {
  const { adapters, config, core, secrets, sleep, now, onRetry } = w;
  const tokens = new adapters.TokenClient({
    tokenUrl: config.tokenUrl,
    accountId: config.accountId,
    sleep,
    now,
    onRetry,
    // Access tokens are credentials too (the admin one can stage and activate).
    mask: (accessToken) => {
      core.setSecret(accessToken);
      secrets.push(accessToken);
    },
  });
  // parseInputs sets managementUrl exactly when management is `api`.
  const management =
    config.management === 'api' && config.managementUrl !== undefined
      ? adapters.createManagementClient({
          tokens,
          adminCredential,
          baseUrl: config.managementUrl,
          clientId: config.clientId,
          sleep,
          onRetry,
        })
      : undefined;
  return { tokens: tokens.portFor(config.clientId), management };
}

/** GitHub secrets, the reminder issue, workflow runs and the state store; `workDir` holds the state's files. */
function gitHubPorts(w: Wiring, workDir: string) {
  const { adapters, config, log, sleep } = w;
  const { owner, repo } = config.repository;
  const octokitFor = (token: string) =>
    adapters.createGitHubClient({ token, baseUrl: config.apiUrl, timeoutMs: config.githubTimeoutMs, log });
  const octokit = octokitFor(config.githubToken);
  const stateOctokit = octokitFor(config.stateToken);
  return {
    secrets: adapters.createSecretsClient({ octokit, log, concurrency: GITHUB_WRITE_CONCURRENCY }),
    reminders: config.reminderIssue
      ? adapters.createReminderIssues({ octokit, owner, repo, clientId: config.clientId })
      : undefined,
    runs: adapters.createWorkflowRuns({ octokit: stateOctokit, owner, repo, log }),
    store: adapters.createArtifactStateStore({
      artifactName: config.stateArtifactName,
      retentionDays: config.stateRetentionDays,
      runAttempt: config.runAttempt,
      owner,
      repo,
      octokit: stateOctokit,
      // @actions/artifact is loaded only when the state store saves.
      artifactClient: async () => new (await import('@actions/artifact')).DefaultArtifactClient(),
      timeoutMs: config.githubTimeoutMs,
      workDir,
      log,
      sleep,
    }),
  };
}

export async function main({ core, env, sleep = realSleep, now = Date.now }: MainDeps): Promise<void> {
  const secrets = SECRET_INPUTS.map((name) => core.getInput(name)).filter((v) => v !== '');
  for (const secret of secrets) core.setSecret(secret);

  let config: Config;
  try {
    config = parseInputs((name) => core.getInput(name), env);
  } catch (error) {
    report(core, error, secrets);
    return;
  }
  const adapters = await loadAdapters();
  const log = safeLog(core);
  const onRetry: OnRetry = (info) =>
    log.info(`Retrying ${info.route} (attempt ${info.attempt + 1}) in ${info.delayMs} ms: ${info.reason}`);
  const wiring: Wiring = { adapters, config, core, secrets, log, sleep, now, onRetry };

  // A self-managed package authenticates to the management API with
  // whichever of its secrets Marketing Cloud accepts now.
  let workingSecret = config.clientSecret;
  const adminCredential = (): Credential =>
    config.admin ?? { clientId: config.clientId, clientSecret: workingSecret };
  const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'sfmc-rotation-'));
  try {
    const outcome = await adapters.runEngine({
      config,
      ...marketingCloudPorts(wiring, adminCredential),
      ...gitHubPorts(wiring, workDir),
      clock: { now },
      sleep,
      log,
      onWorkingSecret: (secret) => {
        workingSecret = secret;
      },
    });
    log.info(scrub(outcome.result.headline, secrets));
    if (outcome.error) report(core, outcome.error, secrets);
    await writeResult(core, outcome.result, secrets);
  } catch (error) {
    // Only writing the outputs or summary can fail here; the engine never throws.
    report(core, error, secrets);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
