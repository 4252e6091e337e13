// The engine's SecretsPort over GitHub's REST API: Actions secrets at
// repository, environment and organization level, and Dependabot secrets at
// repository and organization level. One public-key GET per scope per run.
import { randomBytes } from 'node:crypto';
import type { Octokit } from 'octokit';
import * as z from 'zod';
import type { Destination } from '../config.ts';
import { atOrganization } from '../destination-kinds.ts';
import { renameDestination } from '../destinations.ts';
import { DestinationError } from '../errors.ts';
import type { PublishOutcome, SecretsPort } from '../rotation/ports.ts';
import { explainFailure, MissingEnvironment, MissingRepository } from './explain.ts';
import { httpFailure } from './http-failure.ts';
import { limiter, mapLimit } from './limit.ts';
import { type Scope, scopeKey, scopeOf, scopeParams, scopeRoutes } from './scopes.ts';
import { loadSodium, seal } from './seal.ts';

export interface SecretsClientOptions {
  /** From createGitHubClient (octokit.ts): its plugins retry and wait out rate limits. */
  octokit: Octokit;
  /** Bounded parallelism for publish (and prepare's lookups); default 4. */
  concurrency?: number;
  log: { debug(m: string): void; info(m: string): void };
}

const publicKeySchema = z.object({ key_id: z.string().min(1), key: z.string().min(1) });
type PublicKey = z.infer<typeof publicKeySchema>;
const repositorySchema = z.object({ id: z.number().int() });
const secretSchema = z.object({ updated_at: z.iso.datetime({ offset: true }) });

function parseBody<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`GitHub answered with an unexpected ${what}`);
  return result.data;
}

/**
 * Where a write check goes: `<secret-name>_WRITE_CHECK` beside the destination (the escrow's
 * `_STAGED` or `_PREVIOUS` suffix dropped), so no consumer reads it.
 */
function writeCheck(destination: Destination): Destination {
  const name = `${destination.name.replace(/_(STAGED|PREVIOUS)$/, '')}_WRITE_CHECK`;
  return renameDestination(destination, name, { secretName: '' });
}

/** Repository names whose ids the PUT must carry; undefined keeps GitHub's current selection. */
function selectedRepositories(destination: Destination): { org: string; names: string[] } | undefined {
  if (!atOrganization(destination) || destination.visibility !== 'selected' || !destination.repositories) {
    return undefined;
  }
  return { org: destination.org, names: destination.repositories };
}

/**
 * Public keys and repository ids, each fetched at most once per run and
 * shared by every destination that needs it.
 */
function gitHubLookups(octokit: Octokit, log: SecretsClientOptions['log']) {
  const publicKeys = new Map<string, Promise<PublicKey>>();
  const repositoryIds = new Map<string, Promise<number>>();

  /** One logical call; octokit's plugins repeat it on transient failures. */
  async function call(route: string, params: Record<string, unknown>): Promise<unknown> {
    return (await octokit.request(route, params)).data;
  }

  /** Whether a call answers 404; other failures propagate. */
  async function answers404(route: string, params: Record<string, unknown>): Promise<boolean> {
    try {
      await call(route, params);
      return false;
    } catch (error) {
      if (httpFailure(error)?.status === 404) return true;
      throw error;
    }
  }

  /**
   * The environment's public key answered 404. A token that sees the repository but lacks
   * "Environments: read" gets 403, so a 404 where the repository is visible (Metadata read, which
   * every token holds) means the environment does not exist. Asking for the environment itself
   * would need "Actions: read", which the action otherwise does not need.
   */
  async function environmentMissing(scope: Extract<Scope, { level: 'environment' }>): Promise<boolean> {
    try {
      return !(await answers404('GET /repos/{owner}/{repo}', { owner: scope.owner, repo: scope.repo }));
    } catch {
      return false;
    }
  }

  async function fetchPublicKey(scope: Scope): Promise<PublicKey> {
    try {
      const key = parseBody(
        publicKeySchema,
        await call(scopeRoutes[scope.level].publicKey, scopeParams(scope)),
        'public key',
      );
      log.debug(`public key ${key.key_id} for ${scopeKey(scope)}`);
      return key;
    } catch (error) {
      if (
        scope.level === 'environment' &&
        httpFailure(error)?.status === 404 &&
        (await environmentMissing(scope))
      ) {
        throw new MissingEnvironment();
      }
      throw error;
    }
  }

  /**
   * The scope's key, fetched at most once (failures are kept too: a run stops
   * on them). A `stale` key GitHub no longer accepts is fetched again, once
   * for all the callers that hold it.
   */
  function publicKey(scope: Scope, stale?: Promise<PublicKey>): Promise<PublicKey> {
    const cacheKey = scopeKey(scope);
    let key = publicKeys.get(cacheKey);
    if (!key || key === stale) {
      key = fetchPublicKey(scope);
      publicKeys.set(cacheKey, key);
    }
    return key;
  }

  function repositoryId(org: string, name: string): Promise<number> {
    const cacheKey = `${org}/${name}`.toLowerCase();
    let id = repositoryIds.get(cacheKey);
    if (!id) {
      id = call('GET /repos/{owner}/{repo}', { owner: org, repo: name }).then(
        (data) => parseBody(repositorySchema, data, 'repository').id,
        (error: unknown) => {
          const status = httpFailure(error)?.status;
          throw status === 403 || status === 404 ? new MissingRepository(`${org}/${name}`) : error;
        },
      );
      repositoryIds.set(cacheKey, id);
    }
    return id;
  }

  async function selectedRepositoryIds(destination: Destination): Promise<number[] | undefined> {
    const selected = selectedRepositories(destination);
    return selected && Promise.all(selected.names.map((name) => repositoryId(selected.org, name)));
  }

  return { call, publicKey, repositoryId, selectedRepositoryIds };
}

/**
 * Preflight: every scope's public key and every selected repository's id,
 * fetched in parallel; the first failure, in the destinations' order, names
 * its destination.
 */
async function prepareAll(github: Lookups, destinations: Destination[], concurrency: number): Promise<void> {
  const { publicKey, repositoryId, selectedRepositoryIds } = github;
  const lookups = new Map<string, () => Promise<unknown>>();
  for (const destination of destinations) {
    const scope = scopeOf(destination);
    lookups.set(scopeKey(scope), () => publicKey(scope));
    const selected = selectedRepositories(destination);
    for (const name of selected?.names ?? []) {
      const org = selected?.org ?? '';
      lookups.set(`repository ${org}/${name}`.toLowerCase(), () => repositoryId(org, name));
    }
  }
  // Failures are reported below, per destination and in order. Sealing comes next: libsodium (about
  // 70 ms of CPU) loads once a lookup has answered, while any others are in flight; loaded sooner,
  // it would hold up reading the answers preflight is waiting for (a failure shows at the first seal).
  const sodium = () => loadSodium().catch(() => undefined);
  await mapLimit([...lookups.values()], concurrency, (lookup) =>
    lookup()
      .catch(() => undefined)
      .finally(sodium),
  );
  for (const destination of destinations) {
    try {
      await publicKey(scopeOf(destination));
    } catch (error) {
      throw new DestinationError(
        destination.id,
        explainFailure(destination, 'reading the public key', error),
      );
    }
    try {
      await selectedRepositoryIds(destination);
    } catch (error) {
      throw new DestinationError(
        destination.id,
        explainFailure(destination, 'resolving repository names', error),
      );
    }
  }
}

/** Seals the value once per public key; each sealed value joins `secrets` (kept out of messages). */
function sealOncePerKey(plaintext: string, secrets: string[]): (key: PublicKey) => Promise<string> {
  const sealed = new Map<string, Promise<string>>();
  return (key) => {
    let value = sealed.get(key.key);
    if (!value) {
      value = seal(plaintext, key.key).then((v) => {
        secrets.push(v);
        return v;
      });
      sealed.set(key.key, value);
    }
    return value;
  };
}

type Lookups = ReturnType<typeof gitHubLookups>;

function secretParams(destination: Destination): Record<string, string> {
  return { ...scopeParams(scopeOf(destination)), secret_name: destination.name };
}

/** Deletes a write check's probe; never rejects: resolves with why it was left behind, if it was. */
function removeProbe(
  call: Lookups['call'],
  destination: Destination,
  probe: Destination,
): Promise<string | undefined> {
  return call(scopeRoutes[scopeOf(probe).level].delete, secretParams(probe)).then(
    () => undefined,
    (error: unknown) =>
      // Another run checking at the same moment deleted it first: nothing is left.
      httpFailure(error)?.status === 404
        ? undefined
        : `${explainFailure(destination, `deleting the write check ${probe.name}`, error)} It holds a random ` +
          'value, never a credential; the next run that checks deletes it.',
  );
}

/** One PUT of the sealed value, with an organization secret's visibility and repositories. */
async function put(
  call: Lookups['call'],
  destination: Destination,
  key: PublicKey,
  sealed: string,
  repositoryIdList: number[] | undefined,
): Promise<void> {
  const body: Record<string, unknown> = { encrypted_value: sealed, key_id: key.key_id };
  if (atOrganization(destination)) {
    body.visibility = destination.visibility;
    if (repositoryIdList) body.selected_repository_ids = repositoryIdList;
  }
  await call(scopeRoutes[scopeOf(destination).level].put, { ...secretParams(destination), ...body });
}

export function createSecretsClient(options: SecretsClientOptions): SecretsPort {
  const { octokit, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const github = gitHubLookups(octokit, log);
  const { call, publicKey, selectedRepositoryIds } = github;
  // The engine reads many destinations' times at once (run-context.ts): this bounds them.
  const reading = limiter(concurrency);

  /** Seals for the scope's key and writes; a key GitHub replaced meanwhile is fetched and used once. */
  async function write(
    destination: Destination,
    sealFor: (key: PublicKey) => Promise<string>,
  ): Promise<void> {
    const scope = scopeOf(destination);
    const ids = await selectedRepositoryIds(destination);
    const used = publicKey(scope);
    const key = await used;
    try {
      await put(call, destination, key, await sealFor(key), ids);
    } catch (error) {
      // GitHub answers 422 when key_id is no longer the scope's key.
      if (httpFailure(error)?.status !== 422) throw error;
      const fresh = await publicKey(scope, used);
      if (fresh.key_id === key.key_id) throw error;
      log.info(
        `${destination.id}: GitHub replaced public key ${key.key_id} with ${fresh.key_id}; sealing again`,
      );
      await put(call, destination, fresh, await sealFor(fresh), ids);
    }
    log.debug(`${destination.id}: wrote ${destination.name}`);
  }

  async function publishOne(
    destination: Destination,
    sealFor: (key: PublicKey) => Promise<string>,
    secrets: readonly string[],
  ): Promise<PublishOutcome> {
    try {
      await write(destination, sealFor);
      return { destination, ok: true };
    } catch (error) {
      return {
        destination,
        ok: false,
        error: explainFailure(destination, 'writing the secret', error, secrets),
      };
    }
  }

  return {
    prepare: (destinations) => prepareAll(github, destinations, concurrency),

    async publish(destinations, plaintext) {
      // Every value produced is kept out of messages.
      const secrets = [plaintext];
      const sealFor = sealOncePerKey(plaintext, secrets);
      return mapLimit(destinations, concurrency, (destination) => publishOne(destination, sealFor, secrets));
    },

    async remove(destination) {
      try {
        await call(scopeRoutes[scopeOf(destination).level].delete, secretParams(destination));
      } catch (error) {
        if (httpFailure(error)?.status === 404) return;
        throw new DestinationError(destination.id, explainFailure(destination, 'deleting the secret', error));
      }
    },

    async updatedAt(destination) {
      try {
        const data = await reading(() =>
          call(scopeRoutes[scopeOf(destination).level].get, secretParams(destination)),
        );
        return new Date(parseBody(secretSchema, data, 'secret').updated_at);
      } catch (error) {
        if (httpFailure(error)?.status === 404) return undefined;
        throw new DestinationError(destination.id, explainFailure(destination, 'reading the secret', error));
      }
    },

    async probeWrite(destination) {
      // Write then delete a random value beside the destination: GitHub offers no way to ask a
      // fine-grained or installation token what it may do. A probe left by a killed run is
      // overwritten and deleted by the next.
      const probe = writeCheck(destination);
      const action = `checking that the github-token can write here (writing, then deleting, ${probe.name})`;
      try {
        await write(probe, (key) => seal(randomBytes(24).toString('base64url'), key.key));
      } catch (error) {
        throw new DestinationError(destination.id, explainFailure(destination, action, error));
      }
      // The write proved the access; the delete need not hold up the caller.
      return { removed: removeProbe(call, destination, probe) };
    },
  };
}
