// Marketing Cloud's installed packages and the platform's secret rules
// (DESIGN.md "The platform's rules"), with no HTTP: the token endpoint, the
// management API and the Setup actions all go through this one model.
import { DIGITS, LOWER_ALPHANUMERIC, type RandomString, randomStrings } from './random.ts';

const DAY_MS = 86_400_000;

export type ChangeType = 'generated' | 'activated' | 'revoked';

export interface ChangeEvent {
  type: ChangeType;
  clientId: string;
  at: number;
}

export interface PlatformOptions {
  windowMs: number;
  expiryDays: number;
  tokenTtlSeconds: number;
  now: () => number;
  seed?: number;
  onChange: (event: ChangeEvent) => void;
}

/** Why a rule refused a generation or activation. */
export type RuleViolation = 'unknown-client' | 'nothing-staged' | 'not-usable' | 'too-soon';

export class PlatformRuleError extends Error {
  readonly violation: RuleViolation;
  /** For `too-soon`: how long until the window has passed. */
  readonly retryAfterMs?: number;
  constructor(violation: RuleViolation, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'PlatformRuleError';
    this.violation = violation;
    this.retryAfterMs = retryAfterMs;
  }
}

interface SecretRecord {
  value: string;
  createdAt: number;
  usableAt: number;
  expiresAt: number;
  description: string;
  /** Set once the secret stops working for good. */
  ended?: 'replaced' | 'disabled' | 'revoked';
}

export interface PackageRecord {
  clientId: string;
  tenant: string;
  accountId: string;
  admin: boolean;
  active: SecretRecord;
  staged: SecretRecord | null;
  /** Replaced, disabled and revoked secrets, kept to explain rejections. */
  retired: SecretRecord[];
  lastGeneratedAt: number | null;
  lastActivatedAt: number | null;
  history: ChangeEvent[];
}

interface TokenRecord {
  clientId: string;
  expiresAt: number;
}

interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** The status call's body (management contract v1). */
export interface StatusBody {
  clientId: string;
  active: { createdAt: string; expiresAt: string };
  staged: { createdAt: string; usableAt: string; expiresAt: string; description: string } | null;
  lastGeneratedAt: string | null;
  lastActivatedAt: string | null;
}

type Authentication = { ok: true; pkg: PackageRecord } | { ok: false; reason: string };

/** RFC 3339, as the management API writes times. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export class Platform {
  readonly options: PlatformOptions;
  private readonly random: RandomString;
  private readonly tenants = new Map<string, { accountId: string }>();
  private readonly packages = new Map<string, PackageRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  /** Every plaintext secret ever seeded or generated, in order. */
  readonly secrets: string[] = [];

  constructor(options: PlatformOptions) {
    this.options = options;
    this.random = randomStrings(options.seed);
  }

  now(): number {
    return this.options.now();
  }

  /** Secrets and access tokens: what the request log must never show. */
  sensitiveValues(): string[] {
    return [...this.secrets, ...this.tokens.keys()];
  }

  addTenant(options: { id?: string; accountId?: string } = {}): string {
    const id = options.id ?? `tenant-${this.tenants.size + 1}`;
    if (this.tenants.has(id)) throw new Error(`tenant ${id} already exists`);
    const accountId = options.accountId ?? this.random(1, DIGITS.slice(1)) + this.random(8, DIGITS);
    this.tenants.set(id, { accountId });
    return id;
  }

  addPackage(p: {
    tenant: string;
    clientId?: string;
    clientSecret?: string;
    admin?: boolean;
    accountId?: string;
    activeCreatedAt?: Date;
  }): PackageRecord {
    const tenant = this.tenants.get(p.tenant);
    if (!tenant) throw new Error(`unknown tenant ${p.tenant}`);
    const clientId = p.clientId ?? this.random(24, LOWER_ALPHANUMERIC);
    if (this.packages.has(clientId)) throw new Error(`package ${clientId} already exists`);
    const createdAt = p.activeCreatedAt?.getTime() ?? this.now();
    const pkg: PackageRecord = {
      clientId,
      tenant: p.tenant,
      accountId: p.accountId ?? tenant.accountId,
      admin: p.admin ?? false,
      active: this.newSecret(createdAt, '', p.clientSecret),
      staged: null,
      retired: [],
      // A seeded secret predates the emulator: it does not count against the window.
      lastGeneratedAt: null,
      lastActivatedAt: null,
      history: [],
    };
    this.packages.set(clientId, pkg);
    return pkg;
  }

  find(clientId: string): PackageRecord | undefined {
    return this.packages.get(clientId);
  }

  get(clientId: string): PackageRecord {
    const pkg = this.packages.get(clientId);
    if (!pkg) throw new PlatformRuleError('unknown-client', `No installed package has client id ${clientId}`);
    return pkg;
  }

  /** Would a token request with this secret succeed now? Says why not. */
  authenticate(clientId: string, secret: string, accountId?: string): Authentication {
    const pkg = this.packages.get(clientId);
    if (!pkg) return { ok: false, reason: 'Unknown client id.' };
    if (accountId !== undefined && accountId !== pkg.accountId) {
      return { ok: false, reason: 'The package is not installed in that account.' };
    }
    const now = this.now();
    const record = [pkg.active, pkg.staged, ...pkg.retired].find((s) => s?.value === secret);
    if (!record) return { ok: false, reason: 'Client authentication failed.' };
    if (record.ended) return { ok: false, reason: `The client secret was ${record.ended}.` };
    if (now >= record.expiresAt) return { ok: false, reason: 'The client secret expired.' };
    if (now < record.usableAt) return { ok: false, reason: 'The staged client secret is not usable yet.' };
    return { ok: true, pkg };
  }

  issueToken(pkg: PackageRecord): IssuedToken {
    const accessToken = this.random(64);
    const expiresIn = this.options.tokenTtlSeconds;
    this.tokens.set(accessToken, { clientId: pkg.clientId, expiresAt: this.now() + expiresIn * 1000 });
    return { accessToken, expiresIn };
  }

  /** The package a live access token belongs to; tokens outlive the secret that obtained them. */
  tokenOwner(accessToken: string): PackageRecord | undefined {
    const token = this.tokens.get(accessToken);
    if (!token || this.now() >= token.expiresAt) return undefined;
    return this.packages.get(token.clientId);
  }

  status(clientId: string): StatusBody {
    const pkg = this.get(clientId);
    const { active, staged } = pkg;
    return {
      clientId,
      active: { createdAt: iso(active.createdAt), expiresAt: iso(active.expiresAt) },
      staged: staged && {
        createdAt: iso(staged.createdAt),
        usableAt: iso(staged.usableAt),
        expiresAt: iso(staged.expiresAt),
        description: staged.description,
      },
      lastGeneratedAt: pkg.lastGeneratedAt === null ? null : iso(pkg.lastGeneratedAt),
      lastActivatedAt: pkg.lastActivatedAt === null ? null : iso(pkg.lastActivatedAt),
    };
  }

  /** Rules 2, 3, 4 and 6: at most once per window; replaces a staged secret; usable after the window. */
  generate(
    clientId: string,
    description: string,
  ): { clientSecret: string; createdAt: number; usableAt: number; expiresAt: number } {
    const pkg = this.get(clientId);
    const now = this.now();
    this.throttle(pkg.lastGeneratedAt, 'generated');
    if (pkg.staged) {
      pkg.staged.ended = 'replaced';
      pkg.retired.push(pkg.staged);
    }
    const staged = this.newSecret(now, description);
    staged.usableAt = now + this.options.windowMs;
    pkg.staged = staged;
    pkg.lastGeneratedAt = now;
    this.record(pkg, 'generated', now);
    return {
      clientSecret: staged.value,
      createdAt: staged.createdAt,
      usableAt: staged.usableAt,
      expiresAt: staged.expiresAt,
    };
  }

  /** Rule 5: the previous secret stops working at once; at most once per window. */
  activate(clientId: string): { activatedAt: number; expiresAt: number } {
    const pkg = this.get(clientId);
    const now = this.now();
    const { staged } = pkg;
    if (!staged) throw new PlatformRuleError('nothing-staged', 'No staged secret to activate.');
    if (now >= staged.expiresAt) {
      throw new PlatformRuleError('nothing-staged', 'The staged secret expired; generate a new one.');
    }
    this.throttle(pkg.lastActivatedAt, 'activated');
    if (now < staged.usableAt) {
      throw new PlatformRuleError(
        'not-usable',
        `The staged secret can be activated from ${iso(staged.usableAt)}.`,
      );
    }
    pkg.active.ended = 'disabled';
    pkg.retired.push(pkg.active);
    pkg.active = staged;
    pkg.staged = null;
    pkg.lastActivatedAt = now;
    this.record(pkg, 'activated', now);
    return { activatedAt: now, expiresAt: staged.expiresAt };
  }

  /** A slow platform: the staged secret becomes usable no sooner than `ms` from now. */
  delayUsable(clientId: string, ms: number): void {
    const { staged } = this.get(clientId);
    if (!staged) throw new Error(`${clientId} has no staged secret to delay`);
    staged.usableAt = Math.max(staged.usableAt, this.now() + ms);
  }

  /** Undoes delayUsable: the staged secret is usable once the platform's window after its generation has passed. */
  restoreUsable(clientId: string): void {
    const { staged } = this.get(clientId);
    if (staged) staged.usableAt = staged.createdAt + this.options.windowMs;
  }

  /** Rule 7: Salesforce revokes a leaked active or staged secret at once. */
  revoke(clientId: string, secret: string): void {
    const pkg = this.get(clientId);
    if (pkg.active.value === secret && !pkg.active.ended) {
      // The package keeps its (now useless) active secret until a new one is activated.
      pkg.active.ended = 'revoked';
    } else if (pkg.staged?.value === secret) {
      pkg.staged.ended = 'revoked';
      pkg.retired.push(pkg.staged);
      pkg.staged = null;
    } else {
      throw new Error(`that secret is neither the active nor the staged secret of ${clientId}`);
    }
    this.record(pkg, 'revoked', this.now());
  }

  private throttle(last: number | null, what: string): void {
    if (last === null) return;
    const wait = last + this.options.windowMs - this.now();
    if (wait > 0) {
      throw new PlatformRuleError('too-soon', `A secret was ${what} less than the allowed period ago.`, wait);
    }
  }

  private newSecret(createdAt: number, description: string, value = this.random(24)): SecretRecord {
    this.secrets.push(value);
    return {
      value,
      createdAt,
      usableAt: createdAt,
      expiresAt: createdAt + this.options.expiryDays * DAY_MS,
      description,
    };
  }

  private record(pkg: PackageRecord, type: ChangeType, at: number): void {
    const event = { type, clientId: pkg.clientId, at };
    pkg.history.push(event);
    this.options.onChange(event);
  }
}
