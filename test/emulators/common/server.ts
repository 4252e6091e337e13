// Shared plumbing for the loopback emulators: routing, JSON bodies, a request
// log with secrets redacted, and per-route fault injection.
import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RequestContext {
  method: string;
  url: URL;
  /** Path parameters from the route pattern (`:name`), percent-decoded. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Name of the matched route. */
  route: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A Buffer or string is sent as is; anything else as JSON. */
  body?: unknown;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  /** `/repos/:owner/:repo/actions/secrets/:name`; a trailing `*` matches the rest of the path. */
  pattern: string;
  /** Stable name used by the log and by fault injection; defaults to `METHOD pattern`. */
  name?: string;
  handler: Handler;
}

export type FaultMode =
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  /** Holds the reply until `until` settles: a stalled server, or a step kept open until a test event (no timing). */
  | { kind: 'hold'; until: Promise<unknown> }
  | { kind: 'reset' };

export interface FaultSpec {
  /** Route name, or a RegExp tested against the route name; omitted: every route. */
  route?: string | RegExp;
  mode: FaultMode;
  /** Fail the next N matching calls, then stop. */
  times?: number;
  /** Or fail each matching call with this probability (seeded, repeatable). */
  probability?: number;
  seed?: number;
}

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  route: string;
  status: number;
  /** Request and response bodies, with secret-bearing fields and headers redacted. */
  request: string;
  response: string;
  authorization?: string;
  fault?: string;
}

export class HttpError extends Error {
  readonly reply: Reply;
  constructor(reply: Reply, message = `HTTP ${reply.status}`) {
    super(message);
    this.reply = reply;
  }
}

/** A small, repeatable PRNG (mulberry32) so seeded faults replay identically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  /** Calls seen so far per route, for seeded draws. */
  seen?: Map<string, number>;
}

/** A number in [0, 1) fixed by the seed and the text: the n-th call of a route draws the same whatever else runs. */
export function seededDraw(seed: number, text: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h)();
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = [];
  /** How many faults were injected, by route name. */
  readonly injected = new Map<string, number>();

  inject(spec: FaultSpec): { clear(): void } {
    const fault: ActiveFault = {
      spec,
      remaining: spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      seen: spec.probability === undefined ? undefined : new Map(),
    };
    this.faults.push(fault);
    return { clear: () => this.faults.splice(this.faults.indexOf(fault) >>> 0, 1) };
  }

  /**
   * The fault to apply to this call, if any; consumes one use. A seeded
   * fault draws per route and call, so calls to other routes sent at the
   * same time do not shift what a route meets.
   */
  take(route: string): FaultMode | undefined {
    for (const fault of this.faults) {
      const { spec, seen } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.route !== undefined) {
        const hit = typeof spec.route === 'string' ? spec.route === route : spec.route.test(route);
        if (!hit) continue;
      }
      if (seen) {
        const n = (seen.get(route) ?? 0) + 1;
        seen.set(route, n);
        if (seededDraw(spec.seed ?? 1, `${route} #${n}`) >= (spec.probability ?? 0)) continue;
      }
      fault.remaining -= 1;
      this.injected.set(route, (this.injected.get(route) ?? 0) + 1);
      return spec.mode;
    }
    return undefined;
  }
}

const SECRET_KEY = /secret|password|access_token|refresh_token|^token$|^authorization$/i;

/** Replace the values of secret-bearing JSON fields; used for the log only. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && typeof v === 'string' ? '[REDACTED]' : redactJson(v),
      ]),
    );
  }
  return value;
}

function redactBody(raw: Buffer | string, contentType: string | undefined): string {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (!text) return '';
  if (contentType && !/json/i.test(contentType) && !/^\s*[[{]/.test(text)) {
    return `[${Buffer.byteLength(text)} bytes ${contentType}]`;
  }
  try {
    return JSON.stringify(redactJson(JSON.parse(text)));
  } catch {
    return `[${Buffer.byteLength(text)} bytes]`;
  }
}

interface CompiledRoute extends Route {
  name: string;
  regex: RegExp;
  keys: string[];
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern
    .split('/')
    .map((part) => {
      if (part === '*') {
        keys.push('rest');
        return '(.*)';
      }
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    ...route,
    name: route.name ?? `${route.method} ${route.pattern}`,
    regex: new RegExp(`^${source}$`),
    keys,
  };
}

export interface EmulatorServerOptions {
  /** Extra redaction applied to every logged body (for example known secret values). */
  redact?: (text: string) => string;
}

/**
 * A loopback HTTP server with routing, a redacted request log and fault
 * injection. Emits `request` with each LogEntry after it is answered.
 */
export class EmulatorServer extends EventEmitter {
  readonly log: LogEntry[] = [];
  readonly faults = new FaultInjector();
  private routes: CompiledRoute[] = [];
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private seq = 0;
  url = '';
  /** Added before every answer, to model a real network's round trip (the benchmark sets it). */
  latencyMs = 0;

  private readonly options: EmulatorServerOptions;

  constructor(options: EmulatorServerOptions = {}) {
    super();
    this.options = options;
  }

  addRoutes(routes: Route[]): void {
    this.routes.push(...routes.map(compile));
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      void this.dispatch(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const { port: actual } = server.address() as AddressInfo;
    this.url = `http://${host}:${actual}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Log entries whose method is not GET/HEAD (what changed, or tried to). */
  writes(): LogEntry[] {
    return this.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
  }

  private match(
    method: string,
    path: string,
  ): { route: CompiledRoute; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const found = this.match(method, url.pathname);
    const routeName = found?.route.name ?? 'unmatched';
    const entry: LogEntry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method,
      path: url.pathname + url.search,
      route: routeName,
      status: 0,
      request: this.scrub(redactBody(rawBody, req.headers['content-type'])),
      response: '',
      authorization: req.headers.authorization ? '[REDACTED]' : undefined,
    };

    const fault = found ? this.faults.take(routeName) : undefined;
    if (fault?.kind === 'reset') {
      entry.fault = 'reset';
      this.record(entry);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') {
      entry.fault = `delay ${fault.ms}ms`;
      await new Promise((r) => setTimeout(r, fault.ms));
    }
    if (fault?.kind === 'hold') {
      entry.fault = 'hold';
      await fault.until.catch(() => undefined);
      // A client that gave up (timed out) is gone: answer nobody.
      if (req.socket.destroyed) {
        this.record(entry);
        return;
      }
    }

    let reply: Reply;
    if (fault?.kind === 'status') {
      entry.fault = `status ${fault.status}`;
      reply = {
        status: fault.status,
        headers: {
          ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
          ...fault.headers,
        },
        body: fault.body ?? { message: `injected fault ${fault.status}` },
      };
    } else if (!found) {
      reply = { status: 404, body: { message: 'Not Found' } };
    } else {
      try {
        reply = await found.route.handler({
          method,
          url,
          params: found.params,
          headers: req.headers,
          rawBody,
          route: routeName,
        });
      } catch (error) {
        if (error instanceof HttpError) reply = error.reply;
        else reply = { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
      }
    }
    this.send(res, reply, entry);
  }

  private send(res: ServerResponse, reply: Reply, entry: LogEntry): void {
    const headers: Record<string, string> = { ...reply.headers };
    let payload: Buffer | string = '';
    if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') {
      payload = reply.body;
    } else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    entry.status = reply.status;
    entry.response = this.scrub(redactBody(payload, headers['content-type']));
    res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    res.end(payload);
    this.record(entry);
  }

  private scrub(text: string): string {
    return this.options.redact ? this.options.redact(text) : text;
  }

  private record(entry: LogEntry): void {
    this.log.push(entry);
    this.emit('request', entry);
  }
}

/** Parse a JSON request body, or fail the request with 400. */
export function jsonBody(ctx: RequestContext, errorBody: (message: string) => unknown): unknown {
  if (ctx.rawBody.length === 0)
    throw new HttpError({ status: 400, body: errorBody('Request body is required') });
  try {
    return JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw new HttpError({ status: 400, body: errorBody('Request body is not valid JSON') });
  }
}

/** Bearer token from an Authorization header (`Bearer x` or GitHub's `token x`). */
export function bearer(headers: IncomingHttpHeaders): string | undefined {
  const m = /^(?:bearer|token)\s+(.+)$/i.exec(headers.authorization ?? '');
  return m?.[1];
}
