// JSON bodies for accounts, repositories, environments and workflow runs with
// every field the OpenAPI description requires, filled with plausible values.
import type { AccountRecord, EnvironmentRecord, RepoRecord, RunRecord } from './world.ts';

const HTML = 'https://github.com';

/** GitHub's timestamps have whole seconds. */
export const timestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const nodeId = (prefix: string, id: number): string =>
  `${prefix}_${Buffer.from(`${prefix}${id}`).toString('base64url')}`;

export function simpleUser(api: string, account: AccountRecord): Record<string, unknown> {
  const url = `${api}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === 'Organization' ? 'O' : 'U', account.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${HTML}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    site_admin: false,
  };
}

/** The `*_url` fields of a repository, relative to its API URL. */
const REPO_LINKS: Record<string, string> = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
};

export function minimalRepository(api: string, repo: RepoRecord): Record<string, unknown> {
  const url = `${api}/repos/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(api, repo.owner),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    html_url: `${HTML}/${repo.fullName}`,
    description: null,
    fork: false,
    url,
    ...Object.fromEntries(Object.entries(REPO_LINKS).map(([field, suffix]) => [field, url + suffix])),
  };
}

export function fullRepository(api: string, repo: RepoRecord): Record<string, unknown> {
  const created = timestamp(repo.createdAt);
  return {
    ...minimalRepository(api, repo),
    clone_url: `${HTML}/${repo.fullName}.git`,
    git_url: `git://github.com/${repo.fullName}.git`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    svn_url: `${HTML}/${repo.fullName}`,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    default_branch: 'main',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    network_count: 0,
    subscribers_count: 1,
    size: 128,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: created,
    created_at: created,
    updated_at: created,
  };
}

export function organizationFull(api: string, org: AccountRecord): Record<string, unknown> {
  const url = `${api}/orgs/${org.login}`;
  const created = timestamp(org.createdAt);
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId('O', org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    description: null,
    html_url: `${HTML}/${org.login}`,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: 'Organization',
    created_at: created,
    updated_at: created,
    archived_at: null,
  };
}

export function environment(api: string, repo: RepoRecord, env: EnvironmentRecord): Record<string, unknown> {
  const created = timestamp(env.createdAt);
  return {
    id: env.id,
    node_id: nodeId('EN', env.id),
    name: env.name,
    url: `${api}/repos/${repo.fullName}/environments/${encodeURIComponent(env.name)}`,
    html_url: `${HTML}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: created,
    updated_at: created,
    protection_rules: [],
    deployment_branch_policy: null,
  };
}

/** A workflow run of the repository, with the event, head repository, branch and workflow file it came from. */
export function workflowRun(
  api: string,
  repo: RepoRecord,
  run: RunRecord,
  headRepo: RepoRecord,
): Record<string, unknown> {
  const url = `${api}/repos/${repo.fullName}/actions/runs/${run.id}`;
  const workflowId = 1_000_001;
  return {
    id: run.id,
    name: 'rotate-sfmc-secret',
    node_id: nodeId('WFR', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    display_title: 'Rotate the SFMC client secret',
    run_number: run.id,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion ?? null,
    workflow_id: workflowId,
    url,
    html_url: `${HTML}/${repo.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: timestamp(run.createdAt),
    updated_at: timestamp(run.updatedAt),
    run_started_at: timestamp(run.createdAt),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${api}/repos/${repo.fullName}/check-suites/${run.id}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${api}/repos/${repo.fullName}/actions/workflows/${workflowId}`,
    head_commit: null,
    repository: minimalRepository(api, repo),
    head_repository: minimalRepository(api, headRepo),
    head_repository_id: headRepo.id,
  };
}
