// A loopback emulator of the GitHub REST API slice the action uses: secrets
// at every level, the lookups around them, tokens with permissions, workflow
// runs and artifacts, issues, and OpenAPI validation of every REST request and response.
import { EventEmitter } from 'node:events';
import { EmulatorServer } from '../common/server.ts';
import { Authorizer, operationOf } from './access.ts';
import { ArtifactService } from './artifacts/service.ts';
import { secondaryRateLimitBody } from './errors.ts';
import { type IssueSnapshot, IssueStore } from './issue-store.ts';
import { issuesRoutes } from './issues-routes.ts';
import { timestamp } from './representations.ts';
import { resourceRoutes } from './resource-routes.ts';
import { githubRestRoutes, type ValidationFailure } from './rest.ts';
import { type SecretScope, SecretStore, type Visibility } from './secret-store.ts';
import { type SecretWriteEvent, secretsRoutes } from './secrets-routes.ts';
import { type TokenGrant, TokenRegistry } from './tokens.ts';
import { type RunConclusion, type RunStatus, World } from './world.ts';

export type { IssueSnapshot } from './issue-store.ts';
export type { ValidationFailure } from './rest.ts';
export type { SecretScope, Visibility } from './secret-store.ts';
export type { SecretWriteEvent } from './secrets-routes.ts';
export type { Access, Permission, TokenGrant } from './tokens.ts';
export type { RunConclusion, RunStatus } from './world.ts';

export interface SecondaryRateLimitOptions {
  /** Route name (`METHOD pattern`) or a RegExp over it; omitted: every route. */
  route?: string | RegExp;
  times?: number;
  probability?: number;
  seed?: number;
  status?: 403 | 429;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
}

export interface GitHubEmulator {
  on(event: 'secret-write', listener: (event: SecretWriteEvent) => void): this;
  emit(event: 'secret-write', payload: SecretWriteEvent): boolean;
}

/** Emits 'secret-write' synchronously after a REST call changes a secret (seedSecret does not emit). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: typed events for the class
export class GitHubEmulator extends EventEmitter {
  readonly server = new EmulatorServer();
  readonly artifacts: ArtifactService;
  readonly validationFailures: ValidationFailure[] = [];
  private readonly world = new World();
  private readonly tokens = new TokenRegistry();
  private readonly store: SecretStore;
  private readonly issueStore = new IssueStore();

  private constructor(store: SecretStore) {
    super();
    this.store = store;
    const auth = new Authorizer(this.tokens, this.world);
    const api = (): string => this.url;
    this.artifacts = new ArtifactService(
      {
        // The artifact routes take their permission from the table row of the operation requested.
        authorize: (ctx, owner, repo) => {
          const record = auth.repo(ctx, owner, repo, operationOf(ctx));
          return { repoId: record.id, owner: record.owner.login, repo: record.name };
        },
        run: (owner, repo, runId) => {
          const run = this.world.ensureRun(owner, repo, runId);
          const repoId = this.world.repo(owner, repo)?.id ?? 0;
          return { repoId, headRepoId: run.headRepoId, headBranch: run.headBranch, headSha: run.headSha };
        },
      },
      api,
    );
    const rest = [
      ...secretsRoutes({
        auth,
        store,
        world: this.world,
        api,
        onWrite: (event) => this.emit('secret-write', event),
      }),
      ...resourceRoutes(auth, api, this.world),
      ...issuesRoutes({ auth, store: this.issueStore, api }),
      ...this.artifacts.restRoutes(),
    ];
    this.server.addRoutes(githubRestRoutes(rest, { tokens: this.tokens, failures: this.validationFailures }));
    this.server.addRoutes(this.artifacts.serviceRoutes());
  }

  static async start(options: { port?: number } = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(await SecretStore.create());
    await emulator.server.start(options.port ?? 0);
    return emulator;
  }

  /** API base, used as GITHUB_API_URL. */
  get url(): string {
    return this.server.url;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  addOrg(login: string): { id: number } {
    return { id: this.world.addOrg(login).id };
  }

  addRepo(
    owner: string,
    name: string,
    options: { private?: boolean } = {},
  ): { id: number; fullName: string } {
    const repo = this.world.addRepo(owner, name, options);
    return { id: repo.id, fullName: repo.fullName };
  }

  addEnvironment(owner: string, repo: string, environment: string): void {
    this.world.addEnvironment(owner, repo, environment);
  }

  /** Creates a workflow run of the repository or moves it on (the test harness plays the runner). */
  setRun(owner: string, repo: string, runId: number, status: RunStatus, conclusion?: RunConclusion): void {
    this.world.setRun(owner, repo, runId, status, conclusion);
  }

  /**
   * Plants an artifact as a completed run of `owner/repo` with this origin
   * uploaded it: e.g. a fork's `pull_request` run (`headRepository` names the
   * fork, which must exist), which may upload any name and any bytes.
   */
  plantArtifact(planted: {
    owner: string;
    repo: string;
    runId: number;
    name: string;
    bytes: Buffer;
    event?: string;
    headRepository?: string;
    headBranch?: string;
    path?: string;
  }): number {
    const { owner, repo, runId, name, bytes, headRepository, ...origin } = planted;
    const head = headRepository
      ? this.world.repo(...(headRepository.split('/') as [string, string]))
      : undefined;
    if (headRepository && !head) throw new Error(`unknown head repository ${headRepository}`);
    if (this.world.repo(owner, repo)?.runs.has(runId)) throw new Error(`run ${runId} already exists`);
    this.world.setRun(owner, repo, runId, 'completed', 'success', {
      ...Object.fromEntries(Object.entries(origin).filter(([, v]) => v !== undefined)),
      ...(head ? { headRepoId: head.id } : {}),
    });
    return this.artifacts.plant({ owner, repo, runId, name, bytes });
  }

  /** Registers a token with this grant; returns the token string. */
  addToken(grant: TokenGrant, token?: string): string {
    return this.tokens.add(grant, token);
  }

  /** Oracle: the plaintext of a stored secret, decrypted. */
  secretValue(scope: SecretScope, name: string): string | undefined {
    return this.store.reveal(scope, name);
  }

  secretMeta(
    scope: SecretScope,
    name: string,
  ):
    | { created_at: string; updated_at: string; visibility?: string; selected_repository_ids?: number[] }
    | undefined {
    const secret = this.store.get(scope, name);
    if (!secret) return undefined;
    return {
      created_at: timestamp(secret.createdAt),
      updated_at: timestamp(secret.updatedAt),
      ...(secret.visibility === undefined ? {} : { visibility: secret.visibility }),
      ...(secret.selectedRepositoryIds === undefined
        ? {}
        : { selected_repository_ids: [...secret.selectedRepositoryIds] }),
    };
  }

  secretNames(scope: SecretScope): string[] {
    return this.store.list(scope).map((s) => s.name);
  }

  seedSecret(
    scope: SecretScope,
    name: string,
    value: string,
    options: { visibility?: Visibility; selectedRepositoryIds?: number[]; updatedAt?: Date } = {},
  ): void {
    this.requireScope(scope);
    this.store.seed(scope, name, value, options);
  }

  /** A person deletes the secret (repository settings, or `gh secret delete`). */
  removeSecret(scope: SecretScope, name: string): void {
    this.requireScope(scope);
    this.store.delete(scope, name);
  }

  /** A new key pair and key_id for the scope; the old key_id is refused from now on. */
  rotatePublicKey(scope: SecretScope): void {
    this.requireScope(scope);
    this.store.rotateKey(scope);
  }

  /** Oracle: a repository's issues, oldest first, with their label names and comment bodies. */
  issues(owner: string, repo: string): IssueSnapshot[] {
    const record = this.world.repo(owner, repo);
    if (!record) throw new Error(`unknown repository ${owner}/${repo}`);
    return this.issueStore.snapshot(record);
  }

  /** Setting up a scope that does not exist is a mistake in the test. */
  private requireScope(scope: SecretScope): void {
    if ('org' in scope) {
      if (this.world.org(scope.org)) return;
    } else {
      const repo = this.world.repo(scope.owner, scope.repo);
      if (repo && (scope.level !== 'environment' || this.world.environment(repo, scope.environment))) return;
    }
    throw new Error(`unknown secret scope ${JSON.stringify(scope)}`);
  }

  /** GitHub's secondary rate limit: 403 or 429 with `retry-after`, through the server's fault injector. */
  secondaryRateLimit(options: SecondaryRateLimitOptions = {}): { clear(): void } {
    const status = options.status ?? 403;
    return this.server.faults.inject({
      route: options.route,
      times: options.times,
      probability: options.probability,
      seed: options.seed,
      mode: {
        kind: 'status',
        status,
        retryAfter: options.retryAfter ?? 60,
        body: secondaryRateLimitBody(status),
        headers: { 'x-ratelimit-remaining': '4999', 'x-ratelimit-resource': 'core' },
      },
    });
  }
}
