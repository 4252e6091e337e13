// A block-blob store behind SAS-style signed URLs, the slice of Azure Blob
// Storage that @actions/artifact uses: staged blocks and a block list for
// uploads (through @azure/storage-blob), a plain GET for downloads.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { HttpError, type Reply, type RequestContext, type Route } from '../../common/server.ts';
import { timestamp } from '../representations.ts';

/** Account and container in the path: @azure/storage-blob expects `/account/container/blob` on an IP host. */
export const BLOB_PREFIX = '/artifactstore/actions-results';

export type BlobPermission = 'r' | 'cw';

interface Blob {
  /** Uncommitted blocks by block id. */
  blocks: Map<string, Buffer>;
  committed?: { bytes: Buffer; contentType: string; etag: string; lastModified: Date };
  /** The file name a download is served under. */
  fileName: string;
  /** No more writes (the artifact was finalized). */
  sealed: boolean;
  /** Not served any more (deleted or expired); bytes kept for test oracles. */
  gone: boolean;
}

function blobError(status: number, code: string, message: string): HttpError {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return new HttpError({
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body,
  });
}

/** Query parameters decoded without turning `+` into a space (block ids and signatures are Base64). */
function rawQuery(url: URL): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of url.search.slice(1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    params.set(decodeURIComponent(key), eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)));
  }
  return params;
}

const BLOCK_LIST_ENTRY = /<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g;

export class BlobStore {
  private readonly blobs = new Map<string, Blob>();
  private readonly key = randomBytes(32);
  private readonly baseUrl: () => string;

  constructor(baseUrl: () => string) {
    this.baseUrl = baseUrl;
  }

  /** Reserve an empty blob at `${BLOB_PREFIX}/${name}` and return its path. */
  create(name: string, fileName: string): string {
    const path = `${BLOB_PREFIX}/${name}`;
    this.blobs.set(path, { blocks: new Map(), fileName, sealed: false, gone: false });
    return path;
  }

  /** A URL granting `permission` on the blob until `ttlMs` from now. */
  signedUrl(path: string, permission: BlobPermission, ttlMs: number): string {
    const expiry = timestamp(new Date(Date.now() + ttlMs));
    const sig = this.sign(permission, expiry, path);
    const query = [
      'sv=2025-05-05',
      'sr=b',
      `sp=${permission}`,
      `se=${encodeURIComponent(expiry)}`,
      `sig=${encodeURIComponent(sig)}`,
    ];
    return `${this.baseUrl()}${path}?${query.join('&')}`;
  }

  committed(path: string): { bytes: Buffer; contentType: string } | undefined {
    return this.blobs.get(path)?.committed;
  }

  seal(path: string): void {
    this.require(path).sealed = true;
  }

  retire(path: string): void {
    this.require(path).gone = true;
  }

  /** Replace the committed bytes (tests of unreadable content). */
  replace(path: string, bytes: Buffer): void {
    const blob = this.require(path);
    const contentType = blob.committed?.contentType ?? 'application/zip';
    blob.committed = { bytes, contentType, etag: etag(), lastModified: new Date() };
  }

  routes(): Route[] {
    return [
      { method: 'PUT', pattern: `${BLOB_PREFIX}/*`, handler: (ctx) => this.put(ctx) },
      { method: 'GET', pattern: `${BLOB_PREFIX}/*`, handler: (ctx) => this.get(ctx) },
    ];
  }

  private require(path: string): Blob {
    const blob = this.blobs.get(path);
    if (!blob) throw new Error(`no blob at ${path}`);
    return blob;
  }

  private sign(permission: string, expiry: string, path: string): string {
    return createHmac('sha256', this.key).update(`${permission}\n${expiry}\n${path}`).digest('base64');
  }

  /** Check the signature, expiry and permission; return the blob and the query. */
  private authorize(ctx: RequestContext, need: 'r' | 'w'): { blob: Blob; query: Map<string, string> } {
    const query = rawQuery(ctx.url);
    const permission = query.get('sp') ?? '';
    const expiry = query.get('se') ?? '';
    const given = Buffer.from(query.get('sig') ?? '');
    const expected = Buffer.from(this.sign(permission, expiry, ctx.url.pathname));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw blobError(403, 'AuthenticationFailed', 'Signature did not match.');
    }
    if (!(Date.parse(expiry) > Date.now())) {
      throw blobError(403, 'AuthenticationFailed', 'Signed expiry time has passed.');
    }
    if (!permission.includes(need)) {
      throw blobError(403, 'AuthorizationPermissionMismatch', 'This request is not authorized.');
    }
    const blob = this.blobs.get(ctx.url.pathname);
    if (!blob || blob.gone) throw blobError(404, 'BlobNotFound', 'The specified blob does not exist.');
    return { blob, query };
  }

  private put(ctx: RequestContext): Reply {
    const { blob, query } = this.authorize(ctx, 'w');
    if (blob.sealed) throw blobError(409, 'BlobImmutableDueToPolicy', 'The blob is immutable.');
    const comp = query.get('comp');
    if (comp === 'block') {
      const blockId = query.get('blockid');
      if (!blockId) throw blobError(400, 'MissingRequiredQueryParameter', 'blockid is required.');
      blob.blocks.set(blockId, ctx.rawBody);
      return { status: 201, headers: storageHeaders() };
    }
    if (comp === 'blocklist') {
      const xml = ctx.rawBody.toString('utf8');
      const parts: Buffer[] = [];
      for (const [, , id] of xml.matchAll(BLOCK_LIST_ENTRY)) {
        const block = blob.blocks.get(id ?? '');
        if (!block) throw blobError(400, 'InvalidBlockList', 'The specified block list is invalid.');
        parts.push(block);
      }
      const header = ctx.headers['x-ms-blob-content-type'];
      blob.committed = {
        bytes: Buffer.concat(parts),
        contentType: typeof header === 'string' ? header : 'application/octet-stream',
        etag: etag(),
        lastModified: new Date(),
      };
      blob.blocks.clear();
      return {
        status: 201,
        headers: {
          ...storageHeaders(),
          etag: blob.committed.etag,
          'last-modified': blob.committed.lastModified.toUTCString(),
        },
      };
    }
    throw blobError(400, 'InvalidQueryParameterValue', 'Only block and blocklist uploads are supported.');
  }

  private get(ctx: RequestContext): Reply {
    const { blob } = this.authorize(ctx, 'r');
    const committed = blob.committed;
    if (!committed) throw blobError(404, 'BlobNotFound', 'The specified blob does not exist.');
    const fileName = encodeURIComponent(blob.fileName);
    return {
      status: 200,
      headers: {
        ...storageHeaders(),
        'content-type': committed.contentType,
        'content-disposition': `attachment; filename=${fileName}; filename*=UTF-8''${fileName}`,
        etag: committed.etag,
        'last-modified': committed.lastModified.toUTCString(),
      },
      body: committed.bytes,
    };
  }
}

function etag(): string {
  return `"0x${randomBytes(8).toString('hex').toUpperCase()}"`;
}

function storageHeaders(): Record<string, string> {
  return { 'x-ms-version': '2025-05-05', 'x-ms-request-id': randomUUID() };
}
