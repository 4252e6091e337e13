// Sealed secrets per scope, each scope with its own libsodium key pair. Only
// ciphertext is kept; a PUT is opened once to prove it was sealed to the
// current key, and the plaintext is wiped at once.
import { randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';

export type SecretScope =
  | { level: 'repo'; owner: string; repo: string }
  | { level: 'environment'; owner: string; repo: string; environment: string }
  | { level: 'org'; org: string }
  | { level: 'dependabot-repo'; owner: string; repo: string }
  | { level: 'dependabot-org'; org: string };

export type Visibility = 'all' | 'private' | 'selected';

export const MAX_SECRET_BYTES = 48 * 1024;

export interface StoredSecret {
  /** Upper-case, as GitHub stores it. */
  name: string;
  sealed: Uint8Array;
  /** The key the ciphertext was sealed to (older keys are kept to read old secrets). */
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
  visibility?: Visibility;
  selectedRepositoryIds?: number[];
}

export interface SecretWrite {
  encryptedValue: string;
  keyId: string;
  /** Organization levels only. */
  visibility?: Visibility;
  selectedRepositoryIds?: number[];
}

export type PutResult = { ok: true; created: boolean } | { ok: false; reason: string };

interface KeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

interface ScopeState {
  /** Oldest first; the last one is current. */
  keys: KeyPair[];
  secrets: Map<string, StoredSecret>;
}

/** Identity of a scope; names are case-insensitive. */
export function scopeKey(scope: SecretScope): string {
  const target = 'org' in scope ? scope.org : `${scope.owner}/${scope.repo}`;
  const env = scope.level === 'environment' ? `:${scope.environment}` : '';
  return `${scope.level}:${target}${env}`.toLowerCase();
}

export function isOrgLevel(scope: SecretScope): scope is Extract<SecretScope, { org: string }> {
  return scope.level === 'org' || scope.level === 'dependabot-org';
}

/** GitHub's naming rule; the stored (upper-case) name, or undefined when not allowed. */
export function secretName(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  const upper = name.toUpperCase();
  return upper.startsWith('GITHUB_') ? undefined : upper;
}

const newKeyPair = (): KeyPair => {
  const { publicKey, privateKey } = sodium.crypto_box_keypair();
  // GitHub's key ids are long decimal strings.
  const keyId = `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
  return { keyId, publicKey, privateKey };
};

export class SecretStore {
  private readonly scopes = new Map<string, ScopeState>();

  /** libsodium must be ready before any key is made. */
  static async create(): Promise<SecretStore> {
    await sodium.ready;
    return new SecretStore();
  }

  publicKey(scope: SecretScope): { key_id: string; key: string } {
    const key = this.currentKey(this.state(scope));
    return { key_id: key.keyId, key: sodium.to_base64(key.publicKey, sodium.base64_variants.ORIGINAL) };
  }

  /** A new key pair becomes current; the old key_id is refused from now on. */
  rotateKey(scope: SecretScope): void {
    this.state(scope).keys.push(newKeyPair());
  }

  /** `name` as secretName() returned it. */
  put(scope: SecretScope, name: string, write: SecretWrite, now: Date): PutResult {
    const state = this.state(scope);
    const key = this.currentKey(state);
    if (write.keyId !== key.keyId) return { ok: false, reason: 'key_id is stale or unknown' };
    let sealed: Uint8Array;
    try {
      sealed = sodium.from_base64(write.encryptedValue, sodium.base64_variants.ORIGINAL);
    } catch {
      return { ok: false, reason: 'encrypted_value is not valid Base64' };
    }
    let plaintext: Uint8Array;
    try {
      plaintext = sodium.crypto_box_seal_open(sealed, key.publicKey, key.privateKey);
    } catch {
      return { ok: false, reason: 'encrypted_value was not sealed to the public key key_id names' };
    }
    const size = plaintext.length;
    sodium.memzero(plaintext);
    if (size > MAX_SECRET_BYTES) return { ok: false, reason: 'secret value exceeds 48 KB' };

    const existing = state.secrets.get(name);
    state.secrets.set(name, {
      name,
      sealed,
      keyId: key.keyId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      ...visibilityOf(write, existing),
    });
    return { ok: true, created: !existing };
  }

  /** Test setup: store a value as if a client had sealed and written it. */
  seed(
    scope: SecretScope,
    name: string,
    value: string,
    meta: { visibility?: Visibility; selectedRepositoryIds?: number[]; updatedAt?: Date } = {},
  ): void {
    const stored = secretName(name);
    if (!stored) throw new Error(`invalid secret name ${name}`);
    const state = this.state(scope);
    const key = this.currentKey(state);
    const at = meta.updatedAt ?? new Date();
    state.secrets.set(stored, {
      name: stored,
      sealed: sodium.crypto_box_seal(sodium.from_string(value), key.publicKey),
      keyId: key.keyId,
      createdAt: at,
      updatedAt: at,
      ...visibilityOf(
        { ...meta, visibility: meta.visibility ?? (isOrgLevel(scope) ? 'all' : undefined) },
        undefined,
      ),
    });
  }

  get(scope: SecretScope, name: string): StoredSecret | undefined {
    const stored = secretName(name);
    return stored === undefined ? undefined : this.scopes.get(scopeKey(scope))?.secrets.get(stored);
  }

  list(scope: SecretScope): StoredSecret[] {
    const secrets = [...(this.scopes.get(scopeKey(scope))?.secrets.values() ?? [])];
    return secrets.sort((a, b) => a.name.localeCompare(b.name));
  }

  delete(scope: SecretScope, name: string): boolean {
    const stored = secretName(name);
    return stored !== undefined && (this.scopes.get(scopeKey(scope))?.secrets.delete(stored) ?? false);
  }

  setSelectedRepositories(scope: SecretScope, name: string, ids: number[]): void {
    const secret = this.get(scope, name);
    if (secret) secret.selectedRepositoryIds = asSet(ids);
  }

  /** Oracle: the plaintext, opened with the key the secret was sealed to. */
  reveal(scope: SecretScope, name: string): string | undefined {
    const secret = this.get(scope, name);
    const key = secret && this.scopes.get(scopeKey(scope))?.keys.find((k) => k.keyId === secret.keyId);
    if (!secret || !key) return undefined;
    return sodium.to_string(sodium.crypto_box_seal_open(secret.sealed, key.publicKey, key.privateKey));
  }

  private state(scope: SecretScope): ScopeState {
    const id = scopeKey(scope);
    let state = this.scopes.get(id);
    if (!state) {
      state = { keys: [newKeyPair()], secrets: new Map() };
      this.scopes.set(id, state);
    }
    return state;
  }

  private currentKey(state: ScopeState): KeyPair {
    const key = state.keys.at(-1);
    if (!key) throw new Error('scope without a key pair');
    return key;
  }
}

/** Organization visibility; an update that keeps `selected` without ids keeps the old ids. */
function visibilityOf(
  write: { visibility?: Visibility; selectedRepositoryIds?: number[] },
  existing: StoredSecret | undefined,
): Pick<StoredSecret, 'visibility' | 'selectedRepositoryIds'> {
  if (write.visibility === undefined) return {};
  if (write.visibility !== 'selected') return { visibility: write.visibility };
  const kept = existing?.visibility === 'selected' ? existing.selectedRepositoryIds : undefined;
  return { visibility: 'selected', selectedRepositoryIds: asSet(write.selectedRepositoryIds ?? kept ?? []) };
}

/** GitHub keeps selected repositories as a set; ascending ids make the oracle independent of request order. */
const asSet = (ids: number[]): number[] => [...new Set(ids)].sort((a, b) => a - b);
