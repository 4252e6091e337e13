// The accounts, repositories and environments the emulator knows. Names are
// case-insensitive on GitHub; records keep the spelling they were created with.
import { createHash } from 'node:crypto';

export interface AccountRecord {
  login: string;
  id: number;
  type: 'Organization' | 'User';
  createdAt: Date;
}

export interface EnvironmentRecord {
  name: string;
  id: number;
  createdAt: Date;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed';
export type RunConclusion = 'success' | 'failure' | 'cancelled';

/** Where a run comes from: what triggered it and whose code it ran (a fork's, for a pull request from one). */
export interface RunOrigin {
  /** The triggering event, e.g. `push`, `schedule`, `workflow_dispatch`, `pull_request`. */
  event: string;
  /** The repository whose commit the run checked out: the repository itself or a fork. */
  headRepoId: number;
  headBranch: string;
  headSha: string;
  /** The workflow file. */
  path: string;
}

export interface RunRecord extends RunOrigin {
  id: number;
  status: RunStatus;
  conclusion?: RunConclusion;
  createdAt: Date;
  updatedAt: Date;
}

export interface RepoRecord {
  owner: AccountRecord;
  name: string;
  fullName: string;
  id: number;
  private: boolean;
  createdAt: Date;
  environments: Map<string, EnvironmentRecord>;
  /** Workflow runs by id, as the test harness reports them. */
  runs: Map<number, RunRecord>;
}

const key = (name: string): string => name.toLowerCase();

export const DEFAULT_WORKFLOW_PATH = '.github/workflows/rotate-sfmc-secret.yml';

export class World {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly repos = new Map<string, RepoRecord>();
  private nextAccountId = 9_000_001;
  private nextRepoId = 700_000_001;
  private nextEnvironmentId = 161_000_001;

  addOrg(login: string): AccountRecord {
    const existing = this.accounts.get(key(login));
    if (existing) throw new Error(`account ${login} already exists`);
    return this.addAccount(login, 'Organization');
  }

  addRepo(owner: string, name: string, options: { private?: boolean } = {}): RepoRecord {
    const account = this.accounts.get(key(owner)) ?? this.addAccount(owner, 'User');
    const fullName = `${account.login}/${name}`;
    if (this.repos.has(key(fullName))) throw new Error(`repository ${fullName} already exists`);
    const repo: RepoRecord = {
      owner: account,
      name,
      fullName,
      id: this.nextRepoId++,
      private: options.private ?? true,
      createdAt: new Date(),
      environments: new Map(),
      runs: new Map(),
    };
    this.repos.set(key(fullName), repo);
    return repo;
  }

  addEnvironment(owner: string, repo: string, environment: string): EnvironmentRecord {
    const record = this.repo(owner, repo);
    if (!record) throw new Error(`unknown repository ${owner}/${repo}`);
    if (record.environments.has(key(environment))) {
      throw new Error(`environment ${environment} already exists in ${record.fullName}`);
    }
    const env = { name: environment, id: this.nextEnvironmentId++, createdAt: new Date() };
    record.environments.set(key(environment), env);
    return env;
  }

  /**
   * Creates the run or moves it to a new status; only a completed run has a
   * conclusion (default `success`). A new run takes `origin` (default: a
   * `push` to `main` of the repository itself); an existing one keeps its own.
   */
  setRun(
    owner: string,
    repo: string,
    runId: number,
    status: RunStatus,
    conclusion?: RunConclusion,
    origin: Partial<RunOrigin> = {},
  ): RunRecord {
    const record = this.repo(owner, repo);
    if (!record) throw new Error(`unknown repository ${owner}/${repo}`);
    if (status !== 'completed' && conclusion !== undefined) {
      throw new Error(`a run that is ${status} has no conclusion`);
    }
    if (origin.headRepoId !== undefined && !this.repoById(origin.headRepoId)) {
      throw new Error(`unknown head repository ${origin.headRepoId}`);
    }
    const now = new Date();
    const run = record.runs.get(runId) ?? {
      id: runId,
      status,
      createdAt: now,
      updatedAt: now,
      event: 'push',
      headRepoId: record.id,
      headBranch: 'main',
      headSha: createHash('sha1').update(`run ${runId}`).digest('hex'),
      path: DEFAULT_WORKFLOW_PATH,
      ...origin,
    };
    Object.assign(run, {
      status,
      conclusion: status === 'completed' ? (conclusion ?? 'success') : undefined,
      updatedAt: now,
    });
    record.runs.set(runId, run);
    return run;
  }

  /** The run, created in progress (with the default origin) when the harness never reported it. */
  ensureRun(owner: string, repo: string, runId: number): RunRecord {
    return this.repo(owner, repo)?.runs.get(runId) ?? this.setRun(owner, repo, runId, 'in_progress');
  }

  org(login: string): AccountRecord | undefined {
    const account = this.accounts.get(key(login));
    return account?.type === 'Organization' ? account : undefined;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(key(`${owner}/${name}`));
  }

  repoById(id: number): RepoRecord | undefined {
    for (const repo of this.repos.values()) if (repo.id === id) return repo;
    return undefined;
  }

  environment(repo: RepoRecord, name: string): EnvironmentRecord | undefined {
    return repo.environments.get(key(name));
  }

  private addAccount(login: string, type: AccountRecord['type']): AccountRecord {
    const account = { login, id: this.nextAccountId++, type, createdAt: new Date() };
    this.accounts.set(key(login), account);
    return account;
  }
}
