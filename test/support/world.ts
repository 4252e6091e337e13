// A tenant, a GitHub organization and repository, and the runs of a workflow
// that uses the action, on the two loopback emulators. Secrets reach a run
// the way workflow expressions deliver them: repository and organization
// secrets as of when the run is queued, environment secrets as of when the
// job starts (both read from the GitHub emulator when the run is started).

import { fingerprint } from '../../src/rotation/fingerprint.ts';
import { parseState, type RotationState } from '../../src/rotation/state.ts';
import type { ArtifactSummary } from '../emulators/github/artifacts/service.ts';
import { GitHubEmulator, type RunConclusion, type SecretScope } from '../emulators/github/index.ts';
import { type ChangeType, MarketingCloudEmulator } from '../emulators/marketing-cloud/index.ts';
import { findLeaks, type Leak } from './leak-scan.ts';
import type { WatchedDestination } from './outage-oracle.ts';
import { type ActionRun, runAction } from './runner.ts';

export const OWNER = 'octo';
export const REPO = 'app';
export const ORG = 'acme';
export const SECRET = 'SFMC_CLIENT_SECRET';
export const STAGED = `${SECRET}_STAGED`;
/** The environment destination (in the two-job flow it also holds the escrow). */
export const ENV_DESTINATION = `environment:${OWNER}/${REPO}:production`;
/** A repository, an environment and an organization secret (selected repositories). */
export const THREE_DESTINATIONS = [
  `repo:${OWNER}/${REPO}`,
  ENV_DESTINATION,
  `org:${ORG} visibility=selected repositories=web,api`,
].join('\n');

/** Where a run's secret input comes from: a GitHub secret, or nothing. */
export type SecretSource = { scope: SecretScope; name: string } | 'none';

export interface WorldOptions {
  /** The platform's 5-minute window, shortened for tests. */
  windowMs?: number;
  /** Serve the management contract (default true); false is a tenant as Salesforce ships it. */
  managementApi?: boolean;
}

export interface WorkflowRunOptions {
  /** Inputs besides the defaults; `undefined` removes a default. */
  inputs?: Record<string, string | undefined>;
  /** Where `client-secret` comes from (default: the repository secret). */
  clientSecretFrom?: SecretSource;
  /** Where `staged-client-secret` comes from (default: the repository's `<SECRET>_STAGED`). */
  stagedFrom?: SecretSource;
  /** Where `previous-client-secret` comes from (default: not passed). */
  previousFrom?: SecretSource;
  runId?: number;
  attempt?: number;
  killWhen?: (line: string) => boolean;
  /** See ActionRunOptions.kill: kill the run on an emulator event. */
  kill?: (killNow: () => void) => void;
  onLine?: (line: string) => void;
  /** The job within the run (default 1): the jobs of one workflow run share its artifacts. */
  jobId?: number;
  /** Options for node and extra environment variables (the benchmark's peak-RSS probe). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export interface WorkflowRun extends ActionRun {
  runId: number;
}

/** How GitHub would conclude the run; a harness failure (no run) counts as cancelled. */
function conclusionOf(run: ActionRun | undefined): RunConclusion {
  if (!run || run.killed) return 'cancelled';
  return run.code === 0 ? 'success' : 'failure';
}

export class World {
  readonly mc: MarketingCloudEmulator;
  readonly gh: GitHubEmulator;
  readonly clientId: string;
  /** The first secret, seeded active in Marketing Cloud and in the repository. */
  readonly initialSecret: string;
  /** A token that may write every kind of secret in the repository and the organization. */
  readonly writeToken: string;
  /** The workflow's own token: reads artifacts of earlier runs. */
  readonly stateToken: string;
  readonly runs: WorkflowRun[] = [];
  /** Ids of the organization's repositories `web` and `api`. */
  readonly orgRepoIds: number[];
  private nextRunId = 1000;

  private constructor(mc: MarketingCloudEmulator, gh: GitHubEmulator) {
    this.mc = mc;
    this.gh = gh;
    const activeCreatedAt = new Date(Date.now() - 160 * 86_400_000);
    const pkg = mc.addPackage({ admin: true, activeCreatedAt });
    this.clientId = pkg.clientId;
    this.initialSecret = pkg.clientSecret;
    gh.addOrg(ORG);
    gh.addRepo(OWNER, REPO);
    this.orgRepoIds = [gh.addRepo(ORG, 'web').id, gh.addRepo(ORG, 'api').id];
    gh.addEnvironment(OWNER, REPO, 'production');
    this.writeToken = gh.addToken({
      repositories: [`${OWNER}/${REPO}`, `${ORG}/web`, `${ORG}/api`],
      orgs: [ORG],
      permissions: {
        secrets: 'write',
        environments: 'write',
        dependabot_secrets: 'write',
        organization_secrets: 'write',
        organization_dependabot_secrets: 'write',
        metadata: 'read',
        issues: 'write',
      },
    });
    this.stateToken = gh.addToken({ repositories: [`${OWNER}/${REPO}`], permissions: { actions: 'write' } });
    // The repository secret was last written when the active secret was generated.
    gh.seedSecret(World.repoScope, SECRET, this.initialSecret, { updatedAt: activeCreatedAt });
  }

  static readonly repoScope: SecretScope = { level: 'repo', owner: OWNER, repo: REPO };
  static readonly envScope: SecretScope = {
    level: 'environment',
    owner: OWNER,
    repo: REPO,
    environment: 'production',
  };
  static readonly orgScope: SecretScope = { level: 'org', org: ORG };

  /**
   * Seeds the environment and organization destinations of THREE_DESTINATIONS
   * with the initial secret (the repository one is seeded already; given
   * `updatedAt`, all three are seeded as last written then), as consumers
   * hold it before the first rotation; returns all three for the outage oracle.
   */
  seedThreeDestinations(updatedAt?: Date): WatchedDestination[] {
    if (updatedAt) this.gh.seedSecret(World.repoScope, SECRET, this.initialSecret, { updatedAt });
    this.gh.seedSecret(World.envScope, SECRET, this.initialSecret, { updatedAt });
    this.gh.seedSecret(World.orgScope, SECRET, this.initialSecret, {
      visibility: 'selected',
      selectedRepositoryIds: this.orgRepoIds,
      updatedAt,
    });
    return [
      { id: `repo:${OWNER}/${REPO}`, scope: World.repoScope, name: SECRET },
      { id: ENV_DESTINATION, scope: World.envScope, name: SECRET },
      { id: `org:${ORG}`, scope: World.orgScope, name: SECRET },
    ];
  }

  static async create(options: WorldOptions = {}): Promise<World> {
    const [mc, gh] = await Promise.all([
      MarketingCloudEmulator.start({
        windowMs: options.windowMs ?? 1500,
        managementApi: options.managementApi,
      }),
      GitHubEmulator.start(),
    ]);
    return new World(mc, gh);
  }

  async stop(): Promise<void> {
    await Promise.all([this.mc.stop(), this.gh.stop()]);
  }

  defaultInputs(): Record<string, string> {
    return {
      mode: 'rotate',
      // Most suites drive the fully automatic flow, against the emulator's contract implementation.
      management: 'api',
      'management-url': this.mc.url,
      'auth-url': this.mc.tokenUrl,
      'client-id': this.clientId,
      'github-token': this.writeToken,
      'state-token': this.stateToken,
      'secret-name': SECRET,
      destinations: `repo:${OWNER}/${REPO}`,
      // Long enough that a loaded machine never runs out of it before the platform's short test window ends.
      'max-wait-seconds': '90',
    };
  }

  /** Starts a workflow run of the action and waits for it to end. */
  async run(options: WorkflowRunOptions = {}): Promise<WorkflowRun> {
    const runId = options.runId ?? this.nextRunId++;
    const clientFrom = options.clientSecretFrom ?? { scope: World.repoScope, name: SECRET };
    const stagedFrom = options.stagedFrom ?? { scope: World.repoScope, name: `${SECRET}_STAGED` };
    const inputs: Record<string, string | undefined> = {
      ...this.defaultInputs(),
      'client-secret': this.secretOf(clientFrom) ?? '',
      'staged-client-secret': this.secretOf(stagedFrom) ?? '',
      'previous-client-secret': this.secretOf(options.previousFrom ?? 'none') ?? '',
      ...options.inputs,
    };
    // A workflow that chooses `management: setup` has no management service to name.
    if (inputs.management === 'setup' && !(options.inputs && 'management-url' in options.inputs))
      delete inputs['management-url'];
    // The run is at work while the action runs, as GitHub's runs API shows it to other runs.
    this.gh.setRun(OWNER, REPO, runId, 'in_progress');
    let run: ActionRun | undefined;
    try {
      run = await runAction({
        inputs,
        env: {
          GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
          GITHUB_REPOSITORY_OWNER: OWNER,
          GITHUB_RUN_ID: String(runId),
          GITHUB_RUN_ATTEMPT: String(options.attempt ?? 1),
          GITHUB_API_URL: this.gh.url,
          GITHUB_WORKFLOW: 'rotate-sfmc-secret',
          ...this.gh.artifacts.runtimeEnv({ owner: OWNER, repo: REPO, runId, jobId: options.jobId }),
          ...options.env,
        },
        nodeArgs: options.nodeArgs,
        killWhen: options.killWhen,
        kill: options.kill,
        onLine: options.onLine,
      });
    } finally {
      this.gh.setRun(OWNER, REPO, runId, 'completed', conclusionOf(run));
    }
    const result = { ...run, runId };
    this.runs.push(result);
    return result;
  }

  /** The secret a source holds now. */
  secretOf(source: SecretSource): string | undefined {
    return source === 'none' ? undefined : this.gh.secretValue(source.scope, source.name);
  }

  /** How often Marketing Cloud generated or activated a secret of the client. */
  count(type: ChangeType, clientId = this.clientId): number {
    return this.mc.history(clientId).filter((e) => e.type === type).length;
  }

  /** This client's state artifacts, newest first. */
  stateArtifacts(): ArtifactSummary[] {
    return this.gh.artifacts.list(OWNER, REPO).filter((a) => a.name === `sfmc-rotation-${this.clientId}`);
  }

  /** The state a later run would load: the newest unexpired state artifact. */
  newestState(): RotationState | undefined {
    const newest = this.stateArtifacts().find((a) => !a.expired);
    if (!newest) return undefined;
    const text = this.gh.artifacts.files(newest.id)['state.json']?.toString('utf8');
    if (text === undefined) return undefined;
    const parsed = parseState(text);
    return parsed.ok ? parsed.state : undefined;
  }

  /**
   * Why a later run would not take the rotation to `active` as finished by
   * the newest state, or undefined. A run that confirms saves no state
   * (docs/DESIGN.md, "Saves"): its `staged` record stands, and with nothing
   * staged, an activation since, the record's secret active and the escrow
   * gone, a later run takes it as done. An idle state, or none, says so too.
   */
  stateUnsettled(active: string): string | undefined {
    const state = this.newestState();
    const record = state && state.phase !== 'idle' ? state.rotation : null;
    if (!state || !record) return undefined;
    const status = this.mc.statusOf(this.clientId);
    const lastActivated = status.lastActivatedAt ? Date.parse(status.lastActivatedAt) : Number.NaN;
    if (record.stagedFingerprint !== fingerprint(this.clientId, active))
      return `the newest state is ${state.phase}, recording a secret that is not the active one`;
    if (!(lastActivated >= Date.parse(record.stagedAt)))
      return `the newest state is ${state.phase}, recording a staging Marketing Cloud shows no activation since`;
    return undefined;
  }

  /** Everything the action wrote or the emulators logged, by name, for the leak scan. */
  texts(): Record<string, string> {
    const texts: Record<string, string> = {
      'marketing-cloud log': JSON.stringify(this.mc.server.log),
      'github log': JSON.stringify(this.gh.server.log),
    };
    for (const run of this.runs) {
      const at = `run ${run.runId}`;
      // `::add-mask::` lines are commands to the runner, which consumes them
      // and never shows them; everything else in stdout is the log.
      texts[`${at} stdout`] = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      texts[`${at} stderr`] = run.stderr;
      texts[`${at} outputs`] = JSON.stringify(run.outputs);
      texts[`${at} summary`] = run.summary;
      for (const [name, content] of Object.entries(run.files)) texts[`${at} file ${name}`] = content;
    }
    // Planted artifacts are a test's hostile input (zip bombs, junk), not the action's writing.
    for (const artifact of this.gh.artifacts.list(OWNER, REPO).filter((a) => !a.planted)) {
      for (const [name, content] of Object.entries(this.gh.artifacts.files(artifact.id))) {
        texts[`artifact ${artifact.id} ${name}`] = content.toString('utf8');
      }
    }
    return texts;
  }

  /** Any appearance of any plaintext secret of this world in what was written. */
  leaks(): Leak[] {
    return findLeaks(this.texts(), this.mc.knownSecrets());
  }
}
