// Workflow artifacts as @actions/artifact 6.x sees them: the results
// service's Twirp API (runtime token), a block-blob store behind signed URLs,
// and GitHub's REST artifact endpoints (repository tokens).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import {
  bearer,
  HttpError,
  jsonBody,
  type Reply,
  type RequestContext,
  type Route,
} from '../../common/server.ts';
import { githubError } from '../errors.ts';
import { timestamp } from '../representations.ts';
import { BlobStore } from './blob-store.ts';
import { issueRuntimeToken, readRuntimeToken } from './runtime-token.ts';

export interface ArtifactRepoAccess {
  /** Authorize a REST call on a repository; throws HttpError (from common/server.ts) with GitHub's 401/403/404 shape. */
  authorize(
    ctx: RequestContext,
    owner: string,
    repo: string,
    access: 'read' | 'write',
  ): { repoId: number; owner: string; repo: string };
  /** The workflow run as `workflow_run` of an artifact shows it; created (a push run of the repository) if the harness never reported it. */
  run(owner: string, repo: string, runId: number): ArtifactRunOrigin;
}

/** The `workflow_run` of a REST artifact (GitHub's OpenAPI `artifact` schema). */
export interface ArtifactRunOrigin {
  repoId: number;
  headRepoId: number;
  headBranch: string;
  headSha: string;
}

/** An artifact put straight into the store, as any run (a fork's too) could upload it. */
export interface PlantedArtifact {
  owner: string;
  repo: string;
  runId: number;
  name: string;
  /** The stored bytes: normally a zip, but anything (a zip bomb, an oversized blob) may be planted. */
  bytes: Buffer;
}

export interface ArtifactRun {
  owner: string;
  repo: string;
  runId: number;
  jobId?: number;
}

/** What the `list` oracle reports of one artifact. */
export interface ArtifactSummary {
  id: number;
  name: string;
  runId: number;
  size: number;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  /** Put in by `plant` (a test's hostile artifact), not uploaded by a client. */
  planted: boolean;
}

interface Run {
  owner: string;
  repo: string;
  runId: number;
  backendId: string;
}

interface Artifact {
  id: number;
  name: string;
  run: Run;
  jobBackendId: string;
  blobPath: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  size: number;
  digest?: string;
  planted?: boolean;
  /** Pending until FinalizeArtifact; only finalized artifacts exist for anyone but the uploader. */
  finalized: boolean;
  deleted: boolean;
  expiredFlag: boolean;
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService';
const DEFAULT_RETENTION_MS = 90 * 86_400_000;
const UPLOAD_URL_TTL_MS = 6 * 3_600_000;
const DOWNLOAD_URL_TTL_MS = 60_000;

type TwirpCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition';

const TWIRP_STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
};

function twirpError(code: TwirpCode, msg: string): HttpError {
  return new HttpError({ status: TWIRP_STATUS[code], body: { code, msg } }, msg);
}

const restError = (status: number, message: string): HttpError => new HttpError(githubError(status, message));

// Twirp JSON (protobuf canonical JSON with proto field names): wrappers are
// bare values, int64 may be a string, Timestamps are RFC 3339.
const int64 = z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number);
const ids = {
  workflow_run_backend_id: z.string().min(1),
  workflow_job_run_backend_id: z.string().min(1),
};
const named = z.object({ ...ids, name: z.string().min(1) });
const twirpRequests = {
  CreateArtifact: named.extend({
    expires_at: z.iso.datetime({ offset: true }).optional(),
    version: z.number().int().optional(),
    mime_type: z.string().optional(),
  }),
  FinalizeArtifact: named.extend({
    size: int64.optional(),
    hash: z.string().optional(),
  }),
  ListArtifacts: z.object({ ...ids, name_filter: z.string().optional(), id_filter: int64.optional() }),
  GetSignedArtifactURL: named,
  DeleteArtifact: named,
};
type TwirpMethod = keyof typeof twirpRequests;

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const newestFirst = (a: Artifact, b: Artifact): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id;

export class ArtifactService {
  private readonly access: ArtifactRepoAccess;
  private readonly baseUrl: () => string;
  private readonly store: BlobStore;
  private readonly runs = new Map<string, Run>();
  private readonly runByKey = new Map<string, Run>();
  private readonly jobBackendIds = new Map<string, string>();
  private readonly artifacts: Artifact[] = [];
  private nextId = 5_000_001;

  constructor(access: ArtifactRepoAccess, baseUrl: () => string) {
    this.access = access;
    this.baseUrl = baseUrl;
    this.store = new BlobStore(baseUrl);
  }

  restRoutes(): Route[] {
    const repoPath = '/repos/:owner/:repo/actions';
    return [
      {
        method: 'GET',
        pattern: `${repoPath}/artifacts`,
        handler: (ctx) => this.restList(ctx),
      },
      {
        method: 'GET',
        pattern: `${repoPath}/runs/:run_id/artifacts`,
        handler: (ctx) => this.restList(ctx),
      },
      {
        method: 'GET',
        pattern: `${repoPath}/artifacts/:artifact_id`,
        handler: (ctx) => {
          const { artifact } = this.restFind(ctx, 'read');
          return { status: 200, body: this.toRest(artifact) };
        },
      },
      {
        method: 'GET',
        pattern: `${repoPath}/artifacts/:artifact_id/:archive_format`,
        handler: (ctx) => this.restDownload(ctx),
      },
      {
        method: 'DELETE',
        pattern: `${repoPath}/artifacts/:artifact_id`,
        handler: (ctx) => {
          this.remove(this.restFind(ctx, 'write').artifact);
          return { status: 204 };
        },
      },
    ];
  }

  serviceRoutes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: `${TWIRP_PREFIX}/:method`,
        handler: (ctx) => this.twirp(ctx),
      },
      ...this.store.routes(),
    ];
  }

  runtimeEnv(run: ArtifactRun): { ACTIONS_RUNTIME_TOKEN: string; ACTIONS_RESULTS_URL: string } {
    const known = this.knownRun(run);
    const jobKey = `${known.backendId}#${run.jobId ?? 1}`;
    let jobBackendId = this.jobBackendIds.get(jobKey);
    if (!jobBackendId) {
      jobBackendId = randomUUID();
      this.jobBackendIds.set(jobKey, jobBackendId);
    }
    return {
      ACTIONS_RUNTIME_TOKEN: issueRuntimeToken({ runBackendId: known.backendId, jobBackendId }),
      ACTIONS_RESULTS_URL: `${this.baseUrl()}/`,
    };
  }

  /** Stores a finalized artifact of the run directly (the run should exist in the world with its origin). */
  plant(planted: PlantedArtifact): number {
    const run = this.knownRun(planted);
    const now = new Date();
    const blobPath = this.store.create(
      `${run.backendId}/planted/${randomBytes(16).toString('hex')}`,
      `${planted.name}.zip`,
    );
    this.store.replace(blobPath, planted.bytes);
    this.store.seal(blobPath);
    const artifact: Artifact = {
      id: this.nextId++,
      name: planted.name,
      run,
      jobBackendId: randomUUID(),
      blobPath,
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + DEFAULT_RETENTION_MS),
      size: planted.bytes.length,
      digest: `sha256:${createHash('sha256').update(planted.bytes).digest('hex')}`,
      finalized: true,
      deleted: false,
      expiredFlag: false,
      planted: true,
    };
    this.artifacts.push(artifact);
    return artifact.id;
  }

  // ---- oracles for tests ----

  /** Finalized, undeleted artifacts of a repository (expired included), newest first. */
  list(owner: string, repo: string): ArtifactSummary[] {
    return this.inRepo(owner, repo).map((a) => ({
      id: a.id,
      name: a.name,
      runId: a.run.runId,
      size: a.size,
      createdAt: a.createdAt,
      expiresAt: a.expiresAt,
      expired: this.isExpired(a),
      planted: a.planted === true,
    }));
  }

  /** The unzipped contents of an artifact. */
  files(id: number): Record<string, Buffer> {
    const blob = this.store.committed(this.byId(id).blobPath);
    if (!blob) throw new Error(`artifact ${id} has no content`);
    const entries = unzipSync(blob.bytes);
    return Object.fromEntries(
      Object.entries(entries)
        .filter(([name]) => !name.endsWith('/'))
        .map(([name, data]) => [name, Buffer.from(data)]),
    );
  }

  /** Mark an artifact expired, as retention would; its storage stops serving it. */
  expire(id: number): void {
    const artifact = this.byId(id);
    artifact.expiredFlag = true;
    this.store.retire(artifact.blobPath);
  }

  /** Replace an artifact's stored bytes (tests of unreadable state). */
  corrupt(id: number, bytes: Buffer): void {
    this.store.replace(this.byId(id).blobPath, bytes);
  }

  // ---- model ----

  private knownRun(run: { owner: string; repo: string; runId: number }): Run {
    this.access.run(run.owner, run.repo, run.runId);
    const key = `${run.owner.toLowerCase()}/${run.repo.toLowerCase()}#${run.runId}`;
    let known = this.runByKey.get(key);
    if (!known) {
      known = { owner: run.owner, repo: run.repo, runId: run.runId, backendId: randomUUID() };
      this.runByKey.set(key, known);
      this.runs.set(known.backendId, known);
    }
    return known;
  }

  private byId(id: number): Artifact {
    const artifact = this.artifacts.find((a) => a.id === id && a.finalized);
    if (!artifact) throw new Error(`no artifact ${id}`);
    return artifact;
  }

  private isExpired(artifact: Artifact): boolean {
    return artifact.expiredFlag || artifact.expiresAt.getTime() <= Date.now();
  }

  private inRepo(owner: string, repo: string): Artifact[] {
    return this.artifacts
      .filter((a) => a.finalized && !a.deleted && sameName(a.run.owner, owner) && sameName(a.run.repo, repo))
      .sort(newestFirst);
  }

  /** Artifacts of a run as the results service shows them: finalized, not deleted, not expired. */
  private inRun(run: Run): Artifact[] {
    return this.artifacts.filter((a) => a.run === run && a.finalized && !a.deleted && !this.isExpired(a));
  }

  private remove(artifact: Artifact): void {
    artifact.deleted = true;
    this.store.retire(artifact.blobPath);
  }

  // ---- Twirp ----

  private twirp(ctx: RequestContext): Reply {
    const token = bearer(ctx.headers);
    const claims = token ? readRuntimeToken(token) : undefined;
    const run = claims ? this.runs.get(claims.runBackendId) : undefined;
    if (!run) throw twirpError('unauthenticated', 'a valid runtime token is required');
    const method = ctx.params.method ?? '';
    if (!Object.hasOwn(twirpRequests, method)) {
      throw new HttpError({ status: 404, body: { code: 'bad_route', msg: `no handler for ${method}` } });
    }
    return this.callTwirp(
      method as TwirpMethod,
      run,
      jsonBody(ctx, (msg) => ({ code: 'malformed', msg })),
    );
  }

  private readonly twirpHandlers: {
    [M in TwirpMethod]: (run: Run, body: z.infer<(typeof twirpRequests)[M]>) => Reply;
  } = {
    CreateArtifact: (run, body) => this.create(run, body),
    FinalizeArtifact: (run, body) => this.finalize(run, body),
    ListArtifacts: (run, body) => this.twirpList(run, body),
    GetSignedArtifactURL: (run, body) => {
      const artifact = this.findInRun(run, body.name);
      return ok({ signed_url: this.store.signedUrl(artifact.blobPath, 'r', DOWNLOAD_URL_TTL_MS) });
    },
    DeleteArtifact: (run, body) => {
      const artifact = this.findInRun(run, body.name);
      this.remove(artifact);
      return ok({ ok: true, artifact_id: String(artifact.id) });
    },
  };

  private callTwirp<M extends TwirpMethod>(method: M, run: Run, input: unknown): Reply {
    const parsed = twirpRequests[method].safeParse(input);
    if (!parsed.success) throw twirpError('invalid_argument', z.prettifyError(parsed.error));
    const body = parsed.data as z.infer<(typeof twirpRequests)[M]>;
    if (body.workflow_run_backend_id !== run.backendId) {
      throw twirpError('permission_denied', 'the runtime token is not valid for this workflow run');
    }
    return this.twirpHandlers[method](run, body);
  }

  private findInRun(run: Run, name: string): Artifact {
    const artifact = this.inRun(run).find((a) => a.name === name);
    if (!artifact) throw twirpError('not_found', `artifact ${name} not found`);
    return artifact;
  }

  private create(run: Run, body: z.infer<(typeof twirpRequests)['CreateArtifact']>): Reply {
    const now = new Date();
    const existing = this.artifacts.filter((a) => a.run === run && a.name === body.name && !a.deleted);
    if (existing.some((a) => a.finalized)) {
      throw twirpError('already_exists', `an artifact with this name already exists on the workflow run`);
    }
    // An upload that never finalized is abandoned; a new attempt replaces it.
    for (const pending of existing) pending.deleted = true;
    const expiresAt = body.expires_at
      ? new Date(body.expires_at)
      : new Date(now.getTime() + DEFAULT_RETENTION_MS);
    if (expiresAt.getTime() <= now.getTime())
      throw twirpError('invalid_argument', 'expires_at is in the past');
    const isZip = (body.mime_type ?? 'application/zip') === 'application/zip';
    const blobPath = this.store.create(
      `${run.backendId}/workflow-job-run-${body.workflow_job_run_backend_id}/artifacts/${randomBytes(16).toString('hex')}`,
      isZip ? `${body.name}.zip` : body.name,
    );
    this.artifacts.push({
      id: this.nextId++,
      name: body.name,
      run,
      jobBackendId: body.workflow_job_run_backend_id,
      blobPath,
      createdAt: now,
      updatedAt: now,
      expiresAt,
      size: 0,
      finalized: false,
      deleted: false,
      expiredFlag: false,
    });
    return ok({ ok: true, signed_upload_url: this.store.signedUrl(blobPath, 'cw', UPLOAD_URL_TTL_MS) });
  }

  private finalize(run: Run, body: z.infer<(typeof twirpRequests)['FinalizeArtifact']>): Reply {
    const artifact = this.artifacts.find(
      (a) => a.run === run && a.name === body.name && !a.finalized && !a.deleted,
    );
    if (!artifact) throw twirpError('not_found', `no pending upload of artifact ${body.name}`);
    const blob = this.store.committed(artifact.blobPath);
    if (!blob) throw twirpError('failed_precondition', 'the artifact upload was not committed');
    const digest = `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`;
    if ((body.size ?? 0) !== blob.bytes.length) {
      throw twirpError(
        'invalid_argument',
        `size ${body.size ?? 0} does not match ${blob.bytes.length} bytes`,
      );
    }
    if (body.hash !== undefined && body.hash !== digest) {
      throw twirpError('invalid_argument', 'hash does not match the uploaded content');
    }
    this.store.seal(artifact.blobPath);
    Object.assign(artifact, { finalized: true, size: blob.bytes.length, digest, updatedAt: new Date() });
    return ok({ ok: true, artifact_id: String(artifact.id) });
  }

  private twirpList(run: Run, body: z.infer<(typeof twirpRequests)['ListArtifacts']>): Reply {
    const artifacts = this.inRun(run)
      .filter((a) => body.name_filter === undefined || a.name === body.name_filter)
      .filter((a) => body.id_filter === undefined || a.id === body.id_filter)
      .map((a) => ({
        workflow_run_backend_id: a.run.backendId,
        workflow_job_run_backend_id: a.jobBackendId,
        database_id: String(a.id),
        name: a.name,
        size: String(a.size),
        created_at: a.createdAt.toISOString(),
        ...(a.digest ? { digest: a.digest } : {}),
      }));
    return ok({ artifacts });
  }

  // ---- REST ----

  private restList(ctx: RequestContext): Reply {
    const { owner, repo } = this.access.authorize(ctx, ctx.params.owner ?? '', ctx.params.repo ?? '', 'read');
    const query = ctx.url.searchParams;
    const name = query.get('name');
    const runId = ctx.params.run_id === undefined ? undefined : Number(ctx.params.run_id);
    let artifacts = this.inRepo(owner, repo)
      .filter((a) => name === null || a.name === name)
      .filter((a) => runId === undefined || a.run.runId === runId);
    if (query.get('direction') === 'asc') artifacts = artifacts.reverse();
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    return {
      status: 200,
      body: {
        total_count: artifacts.length,
        artifacts: artifacts.slice((page - 1) * perPage, page * perPage).map((a) => this.toRest(a)),
      },
    };
  }

  private restFind(ctx: RequestContext, access: 'read' | 'write'): { artifact: Artifact } {
    const { owner, repo } = this.access.authorize(ctx, ctx.params.owner ?? '', ctx.params.repo ?? '', access);
    const id = Number(ctx.params.artifact_id);
    const artifact = this.inRepo(owner, repo).find((a) => a.id === id);
    if (!artifact) throw restError(404, 'Not Found');
    return { artifact };
  }

  private restDownload(ctx: RequestContext): Reply {
    const { artifact } = this.restFind(ctx, 'read');
    if (ctx.params.archive_format !== 'zip') throw restError(404, 'Not Found');
    if (this.isExpired(artifact)) throw restError(410, 'Artifact has expired');
    return {
      status: 302,
      headers: { location: this.store.signedUrl(artifact.blobPath, 'r', DOWNLOAD_URL_TTL_MS) },
    };
  }

  private toRest(artifact: Artifact): Record<string, unknown> {
    const origin = this.access.run(artifact.run.owner, artifact.run.repo, artifact.run.runId);
    const url = `${this.baseUrl()}/repos/${artifact.run.owner}/${artifact.run.repo}/actions/artifacts/${artifact.id}`;
    return {
      id: artifact.id,
      node_id: Buffer.from(`010:Artifact${artifact.id}`).toString('base64'),
      name: artifact.name,
      size_in_bytes: artifact.size,
      url,
      archive_download_url: `${url}/zip`,
      expired: this.isExpired(artifact),
      created_at: timestamp(artifact.createdAt),
      expires_at: timestamp(artifact.expiresAt),
      updated_at: timestamp(artifact.updatedAt),
      digest: artifact.digest ?? null,
      workflow_run: {
        id: artifact.run.runId,
        repository_id: origin.repoId,
        head_repository_id: origin.headRepoId,
        head_branch: origin.headBranch,
        head_sha: origin.headSha,
      },
    };
  }
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}
