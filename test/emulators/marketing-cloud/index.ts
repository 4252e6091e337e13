// A loopback emulator of Salesforce Marketing Cloud: the token endpoint, the
// secret management contract v1, and what a person does in Setup, all bound
// by the platform's rules. Tests read its oracles to check the invariants.
import { EventEmitter } from 'node:events';
import { EmulatorServer, HttpError, type Reply, type Route } from '../common/server.ts';
import { managementRoutes } from './management-api.ts';
import { responseErrors } from './openapi.ts';
import { type ChangeEvent, type ChangeType, Platform, type StatusBody } from './platform.ts';
import { tokenRoute } from './token-endpoint.ts';

export { ERROR_CODES, rateLimited, restError } from './management-api.ts';
export { type ChangeEvent, type ChangeType, PlatformRuleError, type StatusBody } from './platform.ts';
export { MC_ROUTES } from './routes.ts';

export interface MarketingCloudOptions {
  /** The platform's 5-minute window (rules 2, 4, 5). Default 300_000. Tests use e.g. 200–2000 ms. */
  windowMs?: number;
  /** Secrets expire this many days after generation (fractional allowed). Default 180. */
  expiryDays?: number;
  /** Access token lifetime in seconds (default 1080). */
  tokenTtlSeconds?: number;
  /** Injected clock (ms since epoch); default Date.now. */
  now?: () => number;
  /** Seed for generated secrets/tokens (optional, for repeatability). */
  seed?: number;
  /**
   * Serve the management contract (default true). Off, the emulator is what
   * every real tenant is: a token endpoint and no management API (404s).
   */
  managementApi?: boolean;
}

/** A reply of the management API that breaks docs/management-api.openapi.yaml. */
export interface ContractFailure {
  route: string;
  status: number;
  errors: string[];
}

const DEFAULT_TENANT = 'default';
const REDACTED = '[REDACTED]';

export class MarketingCloudEmulator extends EventEmitter<{ change: [ChangeEvent] }> {
  readonly server: EmulatorServer;
  /** Every reply of the management API is checked against the contract; `stop()` fails if any broke it. */
  readonly validationFailures: ContractFailure[] = [];
  private readonly platform: Platform;

  private constructor(options: MarketingCloudOptions) {
    super();
    this.platform = new Platform({
      windowMs: options.windowMs ?? 300_000,
      expiryDays: options.expiryDays ?? 180,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 1080,
      now: options.now ?? Date.now,
      seed: options.seed,
      onChange: (event) => this.emit('change', event),
    });
    this.platform.addTenant({ id: DEFAULT_TENANT });
    this.server = new EmulatorServer({
      // Field-name redaction misses a secret pasted into any other field.
      redact: (text) =>
        this.platform.sensitiveValues().reduce((out, value) => out.replaceAll(value, REDACTED), text),
    });
    this.server.addRoutes([tokenRoute(this.platform, () => this.url)]);
    if (options.managementApi ?? true) {
      this.server.addRoutes(managementRoutes(this.platform).map((route) => this.validated(route)));
    }
  }

  /** The route, with its replies (not injected faults) checked against the contract. */
  private validated(route: Route): Route {
    return {
      ...route,
      handler: async (ctx) => {
        let reply: Reply;
        try {
          reply = await route.handler(ctx);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          reply = error.reply;
        }
        const { method, url } = ctx;
        const errors = responseErrors({
          method,
          pathname: url.pathname,
          ...reply,
          headers: reply.headers ?? {},
        });
        if (errors.length > 0)
          this.validationFailures.push({ route: ctx.route, status: reply.status, errors });
        return reply;
      },
    };
  }

  static async start(
    options: MarketingCloudOptions & { port?: number } = {},
  ): Promise<MarketingCloudEmulator> {
    const emulator = new MarketingCloudEmulator(options);
    await emulator.server.start(options.port);
    return emulator;
  }

  get url(): string {
    return this.server.url;
  }

  get tokenUrl(): string {
    return `${this.url}/v2/token`;
  }

  /** Stops the server; rejects if any management reply broke the contract, so no test passes with one. */
  async stop(): Promise<void> {
    await this.server.stop();
    if (this.validationFailures.length > 0) {
      throw new Error(
        `the Marketing Cloud emulator broke docs/management-api.openapi.yaml: ${JSON.stringify(this.validationFailures)}`,
      );
    }
  }

  /** A Marketing Cloud account (enterprise); a `default` one exists from the start. */
  addTenant(options?: { id?: string; accountId?: string }): string {
    return this.platform.addTenant(options);
  }

  /** An installed package with an active secret; `admin` lets its tokens call the management API. */
  addPackage(
    p: {
      tenant?: string;
      clientId?: string;
      clientSecret?: string;
      admin?: boolean;
      accountId?: string;
      activeCreatedAt?: Date;
    } = {},
  ): { clientId: string; clientSecret: string } {
    const pkg = this.platform.addPackage({ ...p, tenant: p.tenant ?? DEFAULT_TENANT });
    return { clientId: pkg.clientId, clientSecret: pkg.active.value };
  }

  /** Would POST /v2/token with this secret (and no account_id) succeed right now? */
  accepts(clientId: string, secret: string): boolean {
    return this.platform.authenticate(clientId, secret).ok;
  }

  /** The status call's body, without going through HTTP. */
  statusOf(clientId: string): StatusBody {
    return this.platform.status(clientId);
  }

  history(clientId: string): Array<{ type: ChangeType; at: number }> {
    return this.platform.get(clientId).history.map(({ type, at }) => ({ type, at }));
  }

  /** Every plaintext ever seeded or generated, for leak scans. */
  knownSecrets(): string[] {
    return [...this.platform.secrets];
  }

  /** Generate in Setup; throws PlatformRuleError (`too-soon`) inside the window. */
  setupGenerate(clientId: string, description = ''): { clientSecret: string; usableAt: Date } {
    const { clientSecret, usableAt } = this.platform.generate(clientId, description);
    return { clientSecret, usableAt: new Date(usableAt) };
  }

  /** Activate in Setup; throws PlatformRuleError as the activate call would fail. */
  setupActivate(clientId: string): void {
    this.platform.activate(clientId);
  }

  /** The staged secret becomes usable no sooner than `ms` from now, however long ago it was generated. */
  delayUsable(clientId: string, ms: number): void {
    this.platform.delayUsable(clientId, ms);
  }

  /** Undoes delayUsable (the platform's own window still applies). */
  restoreUsable(clientId: string): void {
    this.platform.restoreUsable(clientId);
  }

  /** Salesforce found this active or staged secret leaked and revoked it. */
  revoke(clientId: string, secret: string): void {
    this.platform.revoke(clientId, secret);
  }
}
