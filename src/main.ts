// The one place that knows both the engine and the adapters: reads inputs,
// wires Marketing Cloud, GitHub and the state store, runs the engine, and
// writes outputs, the job summary and annotations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type * as actionsCore from '@actions/core';
import type { Config, Credential } from './config.ts';
import { ActionError } from './errors.ts';
import { createGitHubClient } from './github/octokit.ts';
import { createReminderIssues } from './github/reminder-issue.ts';
import { createSecretsClient } from './github/secrets-client.ts';
import { createArtifactStateStore } from './github/state-store.ts';
import { createWorkflowRuns } from './github/workflow-runs.ts';
import { parseInputs, SECRET_INPUTS } from './inputs.ts';
import { createManagementClient } from './marketing-cloud/management-client.ts';
import { TokenClient } from './marketing-cloud/token-client.ts';
import { redact } from './redact.ts';
import { bounded, safeLog } from './report/log.ts';
import { outputsOf } from './report/outputs.ts';
import { summaryMarkdown } from './report/summary.ts';
import { type OnRetry, realSleep, type Sleep } from './retry.ts';
import { runEngine } from './rotation/engine.ts';
import type { RunResult } from './rotation/result.ts';

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

  // A self-managed package authenticates to the management API with
  // whichever of its secrets Marketing Cloud accepts now.
  let workingSecret = config.clientSecret;
  const adminCredential = (): Credential =>
    config.admin ?? { clientId: config.clientId, clientSecret: workingSecret };
  const log = safeLog(core);
  const onRetry: OnRetry = (info) =>
    log.info(`Retrying ${info.route} (attempt ${info.attempt + 1}) in ${info.delayMs} ms: ${info.reason}`);

  const tokens = new TokenClient({
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
      ? createManagementClient({
          tokens,
          adminCredential,
          baseUrl: config.managementUrl,
          clientId: config.clientId,
          sleep,
          onRetry,
        })
      : undefined;
  const octokitFor = (token: string) =>
    createGitHubClient({ token, baseUrl: config.apiUrl, timeoutMs: config.githubTimeoutMs, log });
  const octokit = octokitFor(config.githubToken);
  const stateOctokit = octokitFor(config.stateToken);
  const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'sfmc-rotation-'));
  try {
    const outcome = await runEngine({
      config,
      tokens: tokens.portFor(config.clientId),
      management,
      secrets: createSecretsClient({ octokit, log }),
      reminders: config.reminderIssue
        ? createReminderIssues({
            octokit,
            owner: config.repository.owner,
            repo: config.repository.repo,
            clientId: config.clientId,
          })
        : undefined,
      runs: createWorkflowRuns({
        octokit: stateOctokit,
        owner: config.repository.owner,
        repo: config.repository.repo,
        log,
      }),
      store: createArtifactStateStore({
        artifactName: config.stateArtifactName,
        retentionDays: config.stateRetentionDays,
        owner: config.repository.owner,
        repo: config.repository.repo,
        apiUrl: config.apiUrl,
        stateToken: config.stateToken,
        octokit: stateOctokit,
        artifactClient: new DefaultArtifactClient(),
        timeoutMs: config.githubTimeoutMs,
        workDir,
        log,
        sleep,
      }),
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
