import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  atOrganization,
  byTarget,
  describePermission,
  describePlace,
  destinationKinds,
  kindNames,
  renameDestination
} from "./chunk-EHDEZNKA.js";
import {
  quotable
} from "./chunk-V7KSUL6B.js";
import {
  iso_exports
} from "./chunk-VANO5NEW.js";
import {
  failureKind,
  httpFailure
} from "./chunk-CR33VQHH.js";
import {
  number,
  object,
  string
} from "./chunk-JOUJN4S6.js";
import {
  DestinationError
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/github/secrets-client.ts
import { randomBytes } from "node:crypto";

// src/github/explain.ts
var MissingRepository = class extends Error {
  repository;
  constructor(repository) {
    super(`repository ${repository} not found`);
    this.repository = repository;
  }
};
var MissingEnvironment = class extends Error {
};
var TOKEN_ADVICE = "The workflow's GITHUB_TOKEN cannot write secrets: use a GitHub App installation token (actions/create-github-app-token) or a fine-grained personal access token.";
function explainFailure(destination, action, error, secrets = []) {
  const id = destination.id;
  if (error instanceof MissingRepository) {
    return `${id}: repository ${error.repository} (listed in repositories=) does not exist or the github-token cannot see it; fix the name or give the token access to that repository.`;
  }
  if (error instanceof MissingEnvironment && destination.kind === "environment") {
    return `${id}: environment "${destination.environment}" does not exist in ${destination.owner}/${destination.repo}; create it (Settings > Environments) or fix the environment name.`;
  }
  const failed = failureKind(error);
  const quoted = (message) => message ? `: ${quotable(message, secrets)}` : "";
  switch (failed.kind) {
    case "unreachable":
      return `${id}: could not reach GitHub while ${action} (${quotable(failed.detail, secrets)}); check the network and GITHUB_API_URL, then rerun.`;
    case "broken":
      return `${id}: ${action} failed: ${quotable(failed.detail, secrets)}`;
    case "unauthorized":
      return `${id}: GitHub answered 401 while ${action}: the github-token is invalid or expired; pass a valid token.`;
    case "retried":
      return `${id}: GitHub still failed after retries while ${action} (${failed.why}${quoted(failed.message)}); rerun the workflow later.`;
    case "denied":
      return `${id}: GitHub answered ${failed.status} while ${action}: the github-token lacks ${describePermission(destination.kind)} on ${describePlace(destination)}${failed.status === 404 ? " (or that does not exist)" : ""}. ${TOKEN_ADVICE}`;
    case "answered":
      return `${id}: GitHub answered ${failed.status} while ${action}${quoted(failed.message)}; check this destination's settings.`;
  }
}

// src/github/limit.ts
async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
function limiter(limit) {
  let running = 0;
  const waiting = [];
  return async (fn) => {
    if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

// src/github/scopes.ts
function routesUnder(path) {
  return {
    publicKey: `GET ${path}/public-key`,
    get: `GET ${path}/{secret_name}`,
    put: `PUT ${path}/{secret_name}`,
    delete: `DELETE ${path}/{secret_name}`
  };
}
var scopeRoutes = Object.fromEntries(
  kindNames.map((kind) => [kind, routesUnder(destinationKinds[kind].secretsPath)])
);
function scopeOf(destination) {
  return byTarget(destination, {
    repository: ({ kind, owner, repo }) => ({ level: kind, owner, repo }),
    environment: ({ kind, owner, repo, environment }) => ({ level: kind, owner, repo, environment }),
    organization: ({ kind, org }) => ({ level: kind, org })
  });
}
function scopeKey(scope) {
  return JSON.stringify([scope.level, ...Object.values(scopeParams(scope))]).toLowerCase();
}
function scopeParams(scope) {
  if ("org" in scope) return { org: scope.org };
  if ("environment" in scope)
    return { owner: scope.owner, repo: scope.repo, environment_name: scope.environment };
  return { owner: scope.owner, repo: scope.repo };
}

// src/github/seal.ts
var loading;
function loadSodium() {
  loading ??= import("./libsodium-wrappers-5FPMDEW3.js").then(async ({ default: sodium }) => {
    await sodium.ready;
    return sodium;
  });
  return loading;
}
async function seal(plaintext, publicKeyBase64) {
  const sodium = await loadSodium();
  const { ORIGINAL } = sodium.base64_variants;
  let publicKey;
  try {
    publicKey = sodium.from_base64(publicKeyBase64, ORIGINAL);
  } catch {
    throw new Error("the GitHub public key is not standard Base64");
  }
  if (publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error(
      `the GitHub public key is ${publicKey.length} bytes, not ${sodium.crypto_box_PUBLICKEYBYTES}`
    );
  }
  return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(plaintext), publicKey), ORIGINAL);
}

// src/github/secrets-client.ts
var publicKeySchema = object({ key_id: string().min(1), key: string().min(1) });
var repositorySchema = object({ id: number().int() });
var secretSchema = object({ updated_at: iso_exports.datetime({ offset: true }) });
function parseBody(schema, data, what) {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`GitHub answered with an unexpected ${what}`);
  return result.data;
}
function writeCheck(destination) {
  const name = `${destination.name.replace(/_(STAGED|PREVIOUS)$/, "")}_WRITE_CHECK`;
  return renameDestination(destination, name, { secretName: "" });
}
function selectedRepositories(destination) {
  if (!atOrganization(destination) || destination.visibility !== "selected" || !destination.repositories) {
    return void 0;
  }
  return { org: destination.org, names: destination.repositories };
}
function gitHubLookups(octokit, log) {
  const publicKeys = /* @__PURE__ */ new Map();
  const repositoryIds = /* @__PURE__ */ new Map();
  async function call(route, params) {
    return (await octokit.request(route, params)).data;
  }
  async function answers404(route, params) {
    try {
      await call(route, params);
      return false;
    } catch (error) {
      if (httpFailure(error)?.status === 404) return true;
      throw error;
    }
  }
  async function environmentMissing(scope) {
    try {
      return !await answers404("GET /repos/{owner}/{repo}", { owner: scope.owner, repo: scope.repo });
    } catch {
      return false;
    }
  }
  async function fetchPublicKey(scope) {
    try {
      const key = parseBody(
        publicKeySchema,
        await call(scopeRoutes[scope.level].publicKey, scopeParams(scope)),
        "public key"
      );
      log.debug(`public key ${key.key_id} for ${scopeKey(scope)}`);
      return key;
    } catch (error) {
      if (scope.level === "environment" && httpFailure(error)?.status === 404 && await environmentMissing(scope)) {
        throw new MissingEnvironment();
      }
      throw error;
    }
  }
  function publicKey(scope, stale) {
    const cacheKey = scopeKey(scope);
    let key = publicKeys.get(cacheKey);
    if (!key || key === stale) {
      key = fetchPublicKey(scope);
      publicKeys.set(cacheKey, key);
    }
    return key;
  }
  function repositoryId(org, name) {
    const cacheKey = `${org}/${name}`.toLowerCase();
    let id = repositoryIds.get(cacheKey);
    if (!id) {
      id = call("GET /repos/{owner}/{repo}", { owner: org, repo: name }).then(
        (data) => parseBody(repositorySchema, data, "repository").id,
        (error) => {
          const status = httpFailure(error)?.status;
          throw status === 403 || status === 404 ? new MissingRepository(`${org}/${name}`) : error;
        }
      );
      repositoryIds.set(cacheKey, id);
    }
    return id;
  }
  async function selectedRepositoryIds(destination) {
    const selected = selectedRepositories(destination);
    return selected && Promise.all(selected.names.map((name) => repositoryId(selected.org, name)));
  }
  return { call, publicKey, repositoryId, selectedRepositoryIds };
}
async function prepareAll(github, destinations, concurrency) {
  const { publicKey, repositoryId, selectedRepositoryIds } = github;
  const lookups = /* @__PURE__ */ new Map();
  for (const destination of destinations) {
    const scope = scopeOf(destination);
    lookups.set(scopeKey(scope), () => publicKey(scope));
    const selected = selectedRepositories(destination);
    for (const name of selected?.names ?? []) {
      const org = selected?.org ?? "";
      lookups.set(`repository ${org}/${name}`.toLowerCase(), () => repositoryId(org, name));
    }
  }
  const sodium = () => loadSodium().catch(() => void 0);
  await mapLimit(
    [...lookups.values()],
    concurrency,
    (lookup) => lookup().catch(() => void 0).finally(sodium)
  );
  for (const destination of destinations) {
    try {
      await publicKey(scopeOf(destination));
    } catch (error) {
      throw new DestinationError(
        destination.id,
        explainFailure(destination, "reading the public key", error)
      );
    }
    try {
      await selectedRepositoryIds(destination);
    } catch (error) {
      throw new DestinationError(
        destination.id,
        explainFailure(destination, "resolving repository names", error)
      );
    }
  }
}
function sealOncePerKey(plaintext, secrets) {
  const sealed = /* @__PURE__ */ new Map();
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
function secretParams(destination) {
  return { ...scopeParams(scopeOf(destination)), secret_name: destination.name };
}
function removeProbe(call, destination, probe) {
  return call(scopeRoutes[scopeOf(probe).level].delete, secretParams(probe)).then(
    () => void 0,
    (error) => (
      // Another run checking at the same moment deleted it first: nothing is left.
      httpFailure(error)?.status === 404 ? void 0 : `${explainFailure(destination, `deleting the write check ${probe.name}`, error)} It holds a random value, never a credential; the next run that checks deletes it.`
    )
  );
}
async function put(call, destination, key, sealed, repositoryIdList) {
  const body = { encrypted_value: sealed, key_id: key.key_id };
  if (atOrganization(destination)) {
    body.visibility = destination.visibility;
    if (repositoryIdList) body.selected_repository_ids = repositoryIdList;
  }
  await call(scopeRoutes[scopeOf(destination).level].put, { ...secretParams(destination), ...body });
}
function createSecretsClient(options) {
  const { octokit, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const github = gitHubLookups(octokit, log);
  const { call, publicKey, selectedRepositoryIds } = github;
  const reading = limiter(concurrency);
  async function write(destination, sealFor) {
    const scope = scopeOf(destination);
    const ids = await selectedRepositoryIds(destination);
    const used = publicKey(scope);
    const key = await used;
    try {
      await put(call, destination, key, await sealFor(key), ids);
    } catch (error) {
      if (httpFailure(error)?.status !== 422) throw error;
      const fresh = await publicKey(scope, used);
      if (fresh.key_id === key.key_id) throw error;
      log.info(
        `${destination.id}: GitHub replaced public key ${key.key_id} with ${fresh.key_id}; sealing again`
      );
      await put(call, destination, fresh, await sealFor(fresh), ids);
    }
    log.debug(`${destination.id}: wrote ${destination.name}`);
  }
  async function publishOne(destination, sealFor, secrets) {
    try {
      await write(destination, sealFor);
      return { destination, ok: true };
    } catch (error) {
      return {
        destination,
        ok: false,
        error: explainFailure(destination, "writing the secret", error, secrets)
      };
    }
  }
  return {
    prepare: (destinations) => prepareAll(github, destinations, concurrency),
    async publish(destinations, plaintext) {
      const secrets = [plaintext];
      const sealFor = sealOncePerKey(plaintext, secrets);
      return mapLimit(destinations, concurrency, (destination) => publishOne(destination, sealFor, secrets));
    },
    async remove(destination) {
      try {
        await call(scopeRoutes[scopeOf(destination).level].delete, secretParams(destination));
      } catch (error) {
        if (httpFailure(error)?.status === 404) return;
        throw new DestinationError(destination.id, explainFailure(destination, "deleting the secret", error));
      }
    },
    async updatedAt(destination) {
      try {
        const data = await reading(
          () => call(scopeRoutes[scopeOf(destination).level].get, secretParams(destination))
        );
        return new Date(parseBody(secretSchema, data, "secret").updated_at);
      } catch (error) {
        if (httpFailure(error)?.status === 404) return void 0;
        throw new DestinationError(destination.id, explainFailure(destination, "reading the secret", error));
      }
    },
    async probeWrite(destination) {
      const probe = writeCheck(destination);
      const action = `checking that the github-token can write here (writing, then deleting, ${probe.name})`;
      try {
        await write(probe, (key) => seal(randomBytes(24).toString("base64url"), key.key));
      } catch (error) {
        throw new DestinationError(destination.id, explainFailure(destination, action, error));
      }
      return { removed: removeProbe(call, destination, probe) };
    }
  };
}
export {
  createSecretsClient
};
