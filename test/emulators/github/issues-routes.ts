// The issues REST endpoints the reminder issue uses: list (by state and
// labels, newest first, paginated with a Link header), create, get, update,
// and comment. `issues: read` for reads, `issues: write` for writes.
import { z } from 'zod';
import { HttpError, jsonBody, type RequestContext, type Route } from '../common/server.ts';
import type { Authorizer } from './access.ts';
import { githubError, notFound } from './errors.ts';
import type { CommentRecord, IssueRecord, IssueStore, LabelRecord } from './issue-store.ts';
import { simpleUser, timestamp } from './representations.ts';
import { param } from './rest.ts';
import type { RepoRecord } from './world.ts';

export interface IssuesRoutesDeps {
  auth: Authorizer;
  store: IssueStore;
  /** The API base URL, for URLs in bodies. */
  api: () => string;
}

const HTML = 'https://github.com';
const ISSUES = '/repos/:owner/:repo/issues';

/** Every issue and comment is written by the installation's app, whose bot account this is. */
const APP_SLUG = 'sfmc-rotation';
const BOT = { login: `${APP_SLUG}[bot]`, id: 41_000_001, createdAt: new Date(0) };

const nodeId = (prefix: string, id: number): string =>
  `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;

const title = z.union([z.string(), z.number().int()]).transform(String);
const labelNames = z.array(z.union([z.string(), z.object({ name: z.string() }).transform((l) => l.name)]));

const createBody = z.object({ title, body: z.string().nullish(), labels: labelNames.optional() });

const updateBody = z.object({
  title: title.nullish(),
  body: z.string().nullish(),
  state: z.enum(['open', 'closed']).optional(),
  state_reason: z.enum(['completed', 'not_planned', 'duplicate', 'reopened']).nullish(),
  labels: labelNames.optional(),
});

const commentBody = z.object({ body: z.string() });

/** GitHub's answer to a field it refuses (`missing_field` when blank). */
const validationFailed = (resource: string, field: string, code: 'missing_field' | 'invalid'): HttpError =>
  new HttpError(githubError(422, 'Validation Failed', { errors: [{ resource, code, field }] }));

/** The OpenAPI check has run already; this types the body and refuses what the schema allows but GitHub does not. */
function parse<T>(schema: z.ZodType<T>, ctx: RequestContext, resource: string): T {
  const result = schema.safeParse(jsonBody(ctx, (message) => githubError(400, message).body));
  if (!result.success)
    throw validationFailed(resource, result.error.issues[0]?.path.join('.') ?? '', 'invalid');
  return result.data;
}

export function issuesRoutes(deps: IssuesRoutesDeps): Route[] {
  const { auth, store, api } = deps;

  /** `route`: GitHub's route string, whose permission-table row applies. */
  const repository = (ctx: RequestContext, route: string): RepoRecord =>
    auth.repo(ctx, param(ctx, 'owner'), param(ctx, 'repo'), route);

  const existing = (ctx: RequestContext, repo: RepoRecord): IssueRecord => {
    const issue = store.get(repo, Number(param(ctx, 'issue_number')));
    if (!issue) throw notFound();
    return issue;
  };

  // A bot's login holds brackets, which its API URLs carry percent-encoded.
  const bot = (): Record<string, unknown> => ({
    ...simpleUser(api(), { ...BOT, login: encodeURIComponent(BOT.login), type: 'User' }),
    login: BOT.login,
    type: 'Bot',
    html_url: `${HTML}/apps/${APP_SLUG}`,
  });

  const reactions = (url: string): Record<string, unknown> => ({
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    confused: 0,
    heart: 0,
    hooray: 0,
    eyes: 0,
    rocket: 0,
  });

  const issueUrl = (repo: RepoRecord, issue: IssueRecord): string =>
    `${api()}/repos/${repo.fullName}/issues/${issue.number}`;
  const issueHtmlUrl = (repo: RepoRecord, issue: IssueRecord): string =>
    `${HTML}/${repo.fullName}/issues/${issue.number}`;

  const renderLabel = (repo: RepoRecord, label: LabelRecord): Record<string, unknown> => ({
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${api()}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: null,
  });

  const renderIssue = (repo: RepoRecord, issue: IssueRecord): Record<string, unknown> => {
    const url = issueUrl(repo, issue);
    return {
      id: issue.id,
      node_id: nodeId('I', issue.id),
      url,
      repository_url: `${api()}/repos/${repo.fullName}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: issueHtmlUrl(repo, issue),
      timeline_url: `${url}/timeline`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: bot(),
      labels: issue.labels.map((label) => renderLabel(repo, label)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: issue.comments.length,
      closed_at: issue.closedAt && timestamp(issue.closedAt),
      closed_by: issue.closedAt && bot(),
      created_at: timestamp(issue.createdAt),
      updated_at: timestamp(issue.updatedAt),
      author_association: 'NONE',
      performed_via_github_app: null,
      reactions: reactions(url),
    };
  };

  const renderComment = (
    repo: RepoRecord,
    issue: IssueRecord,
    comment: CommentRecord,
  ): Record<string, unknown> => {
    const url = `${api()}/repos/${repo.fullName}/issues/comments/${comment.id}`;
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url,
      html_url: `${issueHtmlUrl(repo, issue)}#issuecomment-${comment.id}`,
      issue_url: issueUrl(repo, issue),
      body: comment.body,
      user: bot(),
      created_at: timestamp(comment.createdAt),
      updated_at: timestamp(comment.createdAt),
      author_association: 'NONE',
      performed_via_github_app: null,
      reactions: reactions(url),
    };
  };

  /** One page of items and the Link header GitHub sends with it (octokit's paginate follows `next`). */
  const paginate = <T>(ctx: RequestContext, items: T[]): { page: T[]; link?: string } => {
    const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('per_page') ?? 30)));
    const pageNo = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number): string => {
      const url = new URL(ctx.url);
      url.searchParams.set('page', String(n));
      return url.href;
    };
    const rels = [
      ...(pageNo < last ? [`<${at(pageNo + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`] : []),
      ...(pageNo > 1 ? [`<${at(1)}>; rel="first"`, `<${at(Math.min(pageNo - 1, last))}>; rel="prev"`] : []),
    ];
    return {
      page: items.slice((pageNo - 1) * perPage, pageNo * perPage),
      ...(rels.length > 0 ? { link: rels.join(', ') } : {}),
    };
  };

  return [
    {
      method: 'GET',
      pattern: ISSUES,
      handler: (ctx) => {
        const repo = repository(ctx, 'GET /repos/{owner}/{repo}/issues');
        const query = ctx.url.searchParams;
        const state = (query.get('state') ?? 'open') as 'open' | 'closed' | 'all';
        const labels = (query.get('labels') ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        const { page, link } = paginate(ctx, store.list(repo, { state, labels }));
        return {
          status: 200,
          ...(link ? { headers: { link } } : {}),
          body: page.map((issue) => renderIssue(repo, issue)),
        };
      },
    },
    {
      method: 'POST',
      pattern: ISSUES,
      handler: (ctx) => {
        const repo = repository(ctx, 'POST /repos/{owner}/{repo}/issues');
        const body = parse(createBody, ctx, 'Issue');
        if (body.title.trim() === '') throw validationFailed('Issue', 'title', 'missing_field');
        const issue = store.create(repo, {
          title: body.title,
          body: body.body ?? null,
          labels: body.labels ?? [],
        });
        return {
          status: 201,
          headers: { location: issueUrl(repo, issue) },
          body: renderIssue(repo, issue),
        };
      },
    },
    {
      method: 'GET',
      pattern: `${ISSUES}/:issue_number`,
      handler: (ctx) => {
        const repo = repository(ctx, 'GET /repos/{owner}/{repo}/issues/{issue_number}');
        return { status: 200, body: renderIssue(repo, existing(ctx, repo)) };
      },
    },
    {
      method: 'PATCH',
      pattern: `${ISSUES}/:issue_number`,
      handler: (ctx) => {
        const repo = repository(ctx, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}');
        const issue = existing(ctx, repo);
        const body = parse(updateBody, ctx, 'Issue');
        if (body.title !== undefined && (body.title ?? '').trim() === '')
          throw validationFailed('Issue', 'title', 'missing_field');
        if (body.state === 'closed' && body.state_reason === 'reopened') {
          throw validationFailed('Issue', 'state_reason', 'invalid');
        }
        const updated = store.update(repo, issue, {
          ...(body.title == null ? {} : { title: body.title }),
          ...(body.body === undefined ? {} : { body: body.body }),
          ...(body.state === undefined ? {} : { state: body.state }),
          ...(body.state_reason === undefined ? {} : { stateReason: body.state_reason }),
          ...(body.labels === undefined ? {} : { labels: body.labels }),
        });
        return { status: 200, body: renderIssue(repo, updated) };
      },
    },
    {
      method: 'POST',
      pattern: `${ISSUES}/:issue_number/comments`,
      handler: (ctx) => {
        const repo = repository(ctx, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments');
        const issue = existing(ctx, repo);
        const { body } = parse(commentBody, ctx, 'IssueComment');
        if (body.trim() === '') throw validationFailed('IssueComment', 'body', 'missing_field');
        const comment = store.comment(issue, body);
        const rendered = renderComment(repo, issue, comment);
        return { status: 201, headers: { location: String(rendered.url) }, body: rendered };
      },
    },
  ];
}
