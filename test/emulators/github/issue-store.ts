// The issues part of the emulator's world: issues, their comments and the
// labels they carry, per repository. Labels are created on first use, as
// GitHub does when an issue names a label the repository does not have yet.
import type { RepoRecord } from './world.ts';

export type IssueState = 'open' | 'closed';
export type StateReason = 'completed' | 'not_planned' | 'duplicate' | 'reopened';

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
}

export interface CommentRecord {
  id: number;
  body: string;
  createdAt: Date;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: IssueState;
  stateReason: StateReason | null;
  labels: LabelRecord[];
  comments: CommentRecord[];
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface IssueChanges {
  title?: string;
  body?: string | null;
  state?: IssueState;
  /** Applies only when `state` changes, as on GitHub. */
  stateReason?: StateReason | null;
  labels?: string[];
}

/** What a test sees through the emulator's `issues()` oracle. */
export interface IssueSnapshot {
  number: number;
  title: string;
  body: string | null;
  state: IssueState;
  stateReason: StateReason | null;
  labels: string[];
  comments: string[];
}

interface RepoIssues {
  issues: IssueRecord[];
  labels: Map<string, LabelRecord>;
  nextNumber: number;
}

const DEFAULT_LABEL_COLOR = 'ededed';

export class IssueStore {
  private readonly repos = new Map<number, RepoIssues>();
  private nextIssueId = 2_100_000_001;
  private nextCommentId = 3_300_000_001;
  private nextLabelId = 5_500_000_001;

  create(repo: RepoRecord, input: { title: string; body: string | null; labels: string[] }): IssueRecord {
    const issues = this.of(repo);
    const now = new Date();
    const issue: IssueRecord = {
      id: this.nextIssueId++,
      number: issues.nextNumber++,
      title: input.title,
      body: input.body,
      state: 'open',
      stateReason: null,
      labels: this.labels(issues, input.labels),
      comments: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    issues.issues.push(issue);
    return issue;
  }

  /** Newest first; `labels` must all be present (case-insensitive), as GitHub filters. */
  list(repo: RepoRecord, filter: { state: IssueState | 'all'; labels: string[] }): IssueRecord[] {
    const wanted = filter.labels.map((l) => l.toLowerCase());
    return this.of(repo)
      .issues.filter((issue) => filter.state === 'all' || issue.state === filter.state)
      .filter((issue) => wanted.every((w) => issue.labels.some((l) => l.name.toLowerCase() === w)))
      .reverse();
  }

  get(repo: RepoRecord, number: number): IssueRecord | undefined {
    return this.of(repo).issues.find((issue) => issue.number === number);
  }

  /** Applies the changes; the caller has checked that a closing reason is not `reopened`. */
  update(repo: RepoRecord, issue: IssueRecord, changes: IssueChanges): IssueRecord {
    const now = new Date();
    if (changes.title !== undefined) issue.title = changes.title;
    if (changes.body !== undefined) issue.body = changes.body;
    if (changes.labels !== undefined) issue.labels = this.labels(this.of(repo), changes.labels);
    if (changes.state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.stateReason = changes.stateReason ?? 'completed';
      issue.closedAt = now;
    } else if (changes.state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.stateReason = 'reopened';
      issue.closedAt = null;
    }
    issue.updatedAt = now;
    return issue;
  }

  comment(issue: IssueRecord, body: string): CommentRecord {
    const comment = { id: this.nextCommentId++, body, createdAt: new Date() };
    issue.comments.push(comment);
    issue.updatedAt = comment.createdAt;
    return comment;
  }

  /** Oldest first, for tests. */
  snapshot(repo: RepoRecord): IssueSnapshot[] {
    return this.of(repo).issues.map((issue) => ({
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      stateReason: issue.stateReason,
      labels: issue.labels.map((l) => l.name),
      comments: issue.comments.map((c) => c.body),
    }));
  }

  private of(repo: RepoRecord): RepoIssues {
    let issues = this.repos.get(repo.id);
    if (!issues) {
      issues = { issues: [], labels: new Map(), nextNumber: 1 };
      this.repos.set(repo.id, issues);
    }
    return issues;
  }

  /** The repository's labels of these names, created when missing; duplicates collapse. */
  private labels(issues: RepoIssues, names: string[]): LabelRecord[] {
    const found = new Map<string, LabelRecord>();
    for (const name of names) {
      const key = name.toLowerCase();
      let label = issues.labels.get(key);
      if (!label) {
        label = { id: this.nextLabelId++, name, color: DEFAULT_LABEL_COLOR };
        issues.labels.set(key, label);
      }
      found.set(key, label);
    }
    return [...found.values()];
  }
}
