import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseState,
  stateSchema
} from "./chunk-66W6NYYD.js";
import {
  DEFAULT_GITHUB_TIMEOUT_MS,
  TimedOut,
  fetchWithTimeout,
  withDeadline
} from "./chunk-MDKIGY4J.js";
import {
  parseRetryAfter,
  realSleep,
  withRetry
} from "./chunk-LHVGWTLP.js";
import "./chunk-VANO5NEW.js";
import {
  httpFailure
} from "./chunk-CR33VQHH.js";
import {
  array,
  boolean,
  number,
  object,
  string
} from "./chunk-JOUJN4S6.js";
import {
  DestinationError,
  errorMessage
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/github/artifact-zip.ts
var UnreadableArtifact = class extends Error {
};
async function readCapped(response, maxBytes) {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new UnreadableArtifact(`its download is ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new UnreadableArtifact(`its download exceeds the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}
var SLICE = 4096;
var unzipper;
async function readZipEntry(zip, name, maxBytes) {
  unzipper ??= import("./esm-WNRMFLMN.js");
  const { Unzip, UnzipInflate } = await unzipper;
  const parts = [];
  let total = 0;
  let found = false;
  let done = false;
  let failure;
  const unzip = new Unzip((file) => {
    if (file.name !== name || found) return;
    found = true;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new UnreadableArtifact(`its ${name} cannot be inflated (${error.message})`);
        return;
      }
      total += chunk.length;
      if (total > maxBytes) {
        failure = new UnreadableArtifact(`its ${name} inflates past the ${maxBytes}-byte cap`);
        file.terminate();
        return;
      }
      parts.push(chunk);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && !failure && !done; at += SLICE) {
      const end = Math.min(at + SLICE, zip.length);
      unzip.push(zip.subarray(at, end), end === zip.length);
    }
  } catch (error) {
    throw new UnreadableArtifact(`it is not a readable zip (${error.message})`);
  }
  if (failure) throw failure;
  if (!found) throw new UnreadableArtifact(`it holds no ${name}`);
  if (!done) throw new UnreadableArtifact(`its ${name} is truncated`);
  return Buffer.concat(parts, total);
}

// src/github/state-common.ts
var STATE_SUBJECT = "state artifact";
var STATE_FILE = "state.json";
function stateRetry(options) {
  return (what, operation, classify) => withRetry(operation, {
    policy: options.policy,
    sleep: options.sleep ?? realSleep,
    classify,
    onRetry: ({ attempt, delayMs, error }) => options.log.debug(`${what} failed (${errorMessage(error)}); attempt ${attempt + 1} in ${delayMs} ms`)
  });
}

// src/github/state-provenance.ts
var MAX_STATE_ARTIFACT_BYTES = 1024 * 1024;
var PULL_REQUEST_EVENTS = /* @__PURE__ */ new Set([
  "pull_request",
  "pull_request_target",
  "pull_request_review",
  "pull_request_review_comment"
]);
var listedArtifactSchema = object({
  id: number().int(),
  name: string(),
  size_in_bytes: number().int(),
  expired: boolean(),
  created_at: string().nullable(),
  workflow_run: object({
    id: number().int().optional(),
    repository_id: number().int().optional(),
    head_repository_id: number().int().optional(),
    head_branch: string().optional()
  }).nullable().optional()
});
var workflowRunSchema = object({
  id: number().int(),
  event: string(),
  path: string().optional(),
  repository: object({ id: number().int() }),
  head_repository: object({ id: number().int(), full_name: string() }).nullable().optional()
});
var MIB = MAX_STATE_ARTIFACT_BYTES / (1024 * 1024);
function listedDistrust(artifact) {
  if (artifact.expired) return "it has expired";
  if (artifact.size_in_bytes > MAX_STATE_ARTIFACT_BYTES) {
    return `it is ${artifact.size_in_bytes} bytes, over the ${MIB} MiB cap for a state artifact (not read)`;
  }
  const run = artifact.workflow_run;
  if (run?.id === void 0 || run.repository_id === void 0) return "GitHub names no run that made it";
  if (run.head_repository_id !== run.repository_id) {
    return `run ${run.id} that made it ran code from another repository (a fork, head repository id ${run.head_repository_id ?? "unknown"})`;
  }
  return void 0;
}
function runDistrust(run) {
  if (PULL_REQUEST_EVENTS.has(run.event)) {
    return `run ${run.id} that made it was triggered by \`${run.event}\`, which a pull request controls`;
  }
  if (run.head_repository?.id !== run.repository.id) {
    return `run ${run.id} that made it ran code from ${run.head_repository?.full_name ?? "an unknown repository"}, not this repository`;
  }
  return void 0;
}

// src/github/state-candidates.ts
var MAX_PAGES = 5;
var MAX_RUN_LOOKUPS = 10;
var MAX_NOTED = 5;
var LIST = "GET /repos/{owner}/{repo}/actions/artifacts";
var GET_RUN = "GET /repos/{owner}/{repo}/actions/runs/{run_id}";
function newSearch() {
  return { seen: 0, skipped: [], expired: 0, runs: /* @__PURE__ */ new Map(), gaveUp: false };
}
function skip(search, artifact, reason, log) {
  const text = `state artifact ${artifact.id} (created ${artifact.created_at ?? "at an unknown time"}): ${reason}`;
  if (artifact.expired) {
    search.expired++;
    log.info(`Skipped ${text}`);
  } else {
    search.skipped.push(text);
    log.warning(`Ignored ${text}`);
  }
}
function noteOf(search, found) {
  const named = search.skipped.slice(0, MAX_NOTED);
  const more = search.skipped.length - named.length;
  const parts = [
    ...found ? [found] : [],
    ...named.length > 0 ? [`ignored ${named.join("; ")}${more > 0 ? `; and ${more} more (see the log)` : ""}`] : [],
    ...search.expired > 0 ? [`${search.expired} expired state artifact(s) skipped`] : []
  ];
  return parts.length > 0 ? parts.join(". ") : void 0;
}
function nothingFound(search) {
  if (search.gaveUp) {
    return noteOf(
      search,
      `gave up after asking about ${MAX_RUN_LOOKUPS} runs; no trusted state artifact found`
    );
  }
  return noteOf(search, search.seen === 0 ? "no state artifact found" : "no trusted state artifact found");
}
function createReads(options) {
  const { octokit, owner, repo } = options;
  const repository = `${owner}/${repo}`;
  function parsed(schema, data, what) {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new DestinationError(STATE_SUBJECT, `GitHub answered ${what} of ${repository} unexpectedly.`);
    }
    return result.data;
  }
  function readFailure(error, what) {
    if (error instanceof DestinationError) return error;
    const failure = httpFailure(error);
    if (failure && [401, 403, 404].includes(failure.status)) {
      return new DestinationError(
        "state-token",
        `Cannot read ${what} of ${repository} (HTTP ${failure.status}${failure.message ? `: ${failure.message}` : ""}). The state-token input needs "actions: read" on the repository ${repository}.`
      );
    }
    return new DestinationError(
      STATE_SUBJECT,
      `Reading ${what} of ${repository} failed: ${errorMessage(error)}.`
    );
  }
  async function* listed() {
    const what = "the state artifact list";
    const { artifactName } = options;
    const pages = octokit.paginate.iterator(LIST, { owner, repo, name: artifactName, per_page: 100 });
    let page = 0;
    try {
      for await (const { data } of pages) {
        yield* parsed(array(listedArtifactSchema), data, what).filter((a) => a.name === artifactName);
        if (++page >= MAX_PAGES) return;
      }
    } catch (error) {
      throw readFailure(error, what);
    }
  }
  async function run(runId) {
    const what = `workflow run ${runId}`;
    const data = await octokit.request(GET_RUN, { owner, repo, run_id: runId }).then(
      (response) => response.data,
      (error) => Promise.reject(readFailure(error, what))
    );
    return parsed(workflowRunSchema, data, what);
  }
  return { listed, run };
}
function createCandidates(options) {
  const reads = createReads(options);
  async function distrust(artifact, search) {
    const listedReason = listedDistrust(artifact);
    if (listedReason) return listedReason;
    const runId = artifact.workflow_run?.id;
    let run = search.runs.get(runId);
    if (!run) {
      run = await reads.run(runId);
      search.runs.set(runId, run);
    }
    return runDistrust(run);
  }
  return async function* trusted(search) {
    for await (const artifact of reads.listed()) {
      search.seen++;
      if (!artifact.expired && search.runs.size >= MAX_RUN_LOOKUPS) {
        search.gaveUp = true;
        return;
      }
      const reason = await distrust(artifact, search);
      if (reason) skip(search, artifact, reason, options.log);
      else yield artifact;
    }
  };
}

// src/github/state-download.ts
var ARCHIVE = "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}";
var USER_AGENT = "sfmc-secret-rotation";
var StorageFailure = class extends Error {
  decision;
  constructor(message, decision) {
    super(message);
    this.decision = decision;
  }
};
function failureText(error) {
  const failure = httpFailure(error);
  if (!failure) return errorMessage(error);
  return `HTTP ${failure.status}${failure.message ? ` (${failure.message})` : ""}`;
}
function storageRefusal(response) {
  const { status } = response;
  const decision = status >= 500 || status === 429 ? { retry: true, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) } : { retry: false };
  return new StorageFailure(`storage answered HTTP ${status}`, decision);
}
function createStateReader(options) {
  const { octokit, owner, repo } = options;
  const storageFetch = fetchWithTimeout(options.timeoutMs);
  async function archiveUrl(artifact) {
    const response = await octokit.request(ARCHIVE, {
      owner,
      repo,
      artifact_id: artifact.id,
      archive_format: "zip",
      request: { redirect: "manual" }
    }).catch((error) => {
      throw new Error(`GitHub gave no link to its archive: ${failureText(error)}`);
    });
    const location = response.headers.location;
    if (response.status !== 302 || !location) {
      throw new Error(`GitHub answered HTTP ${response.status} with no redirect to its archive`);
    }
    return location;
  }
  async function fromStorage(url) {
    const response = await storageFetch(url, { headers: { "user-agent": USER_AGENT } }).catch(
      (error) => {
        throw new StorageFailure(`storage did not answer (${errorMessage(error)})`, { retry: true });
      }
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw storageRefusal(response);
    }
    try {
      return await readCapped(response, MAX_STATE_ARTIFACT_BYTES);
    } catch (error) {
      if (error instanceof UnreadableArtifact) throw error;
      throw new StorageFailure(`the download broke off (${errorMessage(error)})`, { retry: true });
    }
  }
  return async function read(artifact) {
    const zip = await options.retried(
      "Downloading the state",
      async () => fromStorage(await archiveUrl(artifact)),
      (error) => error instanceof StorageFailure ? error.decision : { retry: false }
    );
    const text = Buffer.from(await readZipEntry(zip, STATE_FILE, MAX_STATE_ARTIFACT_BYTES)).toString("utf8");
    const parsed = parseState(text);
    if (!parsed.ok) throw new UnreadableArtifact(`it is invalid: ${parsed.reason}`);
    return parsed.state;
  };
}

// src/github/state-save.ts
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
var UnansweredSave = class extends DestinationError {
};
function saveFailure(message, error) {
  const unanswered = /Unable to make request: (ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH)/.test(
    errorMessage(error)
  );
  return new (unanswered ? UnansweredSave : DestinationError)(
    STATE_SUBJECT,
    `${message}: ${errorMessage(error)}`
  );
}
function createStateSaver(options) {
  const { artifactName, log } = options;
  let client;
  const artifactClient = () => {
    const given = options.artifactClient;
    client ??= typeof given === "function" ? given() : Promise.resolve(given);
    return client;
  };
  let mayExist = (options.runAttempt ?? 1) > 1;
  async function deleteOwn(artifacts, failure) {
    if (!mayExist) return;
    try {
      const { id } = await artifacts.deleteArtifact(artifactName);
      log.debug(`Deleted this run's state artifact ${id}`);
    } catch (error) {
      if (!(error instanceof Error && error.name === "ArtifactNotFoundError")) {
        throw saveFailure(`${failure} "${artifactName}"`, error);
      }
    }
  }
  async function saveOnce(dir, document) {
    const file = join(dir, STATE_FILE);
    await writeFile(file, `${JSON.stringify(document, null, 2)}
`, { mode: 384 });
    const artifacts = await artifactClient();
    await deleteOwn(artifacts, "Could not replace this run's state artifact");
    let id;
    try {
      mayExist = true;
      ({ id } = await artifacts.uploadArtifact(artifactName, [file], dir, {
        retentionDays: options.retentionDays
      }));
    } catch (error) {
      throw saveFailure(`Could not save the state artifact "${artifactName}"`, error);
    }
    if (id === void 0) {
      throw new DestinationError(STATE_SUBJECT, `Saving the state artifact "${artifactName}" returned no id`);
    }
    log.debug(`Saved state (phase ${document.phase}) as artifact ${id}`);
    return { artifactId: id };
  }
  async function saveWithin(document) {
    const dir = await mkdtemp(join(options.workDir, "state-save-"));
    const { timeoutMs } = options;
    try {
      return await withDeadline("Saving the state artifact", 4 * timeoutMs, () => saveOnce(dir, document));
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      throw new DestinationError(STATE_SUBJECT, `${error.message}; GitHub's artifact service did not answer`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  async function save(state) {
    const document = stateSchema.parse(state);
    return options.retried(
      "Saving the state",
      () => saveWithin(document),
      (error) => ({ retry: error instanceof UnansweredSave })
    );
  }
  async function withdraw() {
    const artifacts = await artifactClient();
    await withDeadline(
      "Withdrawing the state artifact",
      options.timeoutMs,
      () => deleteOwn(artifacts, "Could not withdraw this run's state artifact")
    );
    mayExist = false;
  }
  return { save, withdraw };
}

// src/github/state-store.ts
function savedAtOf(artifact) {
  const savedAt = artifact.created_at ? new Date(artifact.created_at) : void 0;
  return savedAt && !Number.isNaN(savedAt.getTime()) ? savedAt : void 0;
}
function loaded(state, artifact, search) {
  const savedAt = savedAtOf(artifact);
  const note = noteOf(search, void 0);
  return { state, ...savedAt && { savedAt }, ...note && { note } };
}
function createArtifactStateStore(options) {
  const { log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const retried = stateRetry(options);
  const trusted = createCandidates(options);
  const read = createStateReader({ ...options, timeoutMs, retried });
  async function load() {
    const search = newSearch();
    for await (const artifact of trusted(search)) {
      const label = `state artifact ${artifact.id} (run ${artifact.workflow_run?.id})`;
      try {
        const state = await read(artifact);
        log.debug(`Loaded ${label}: phase ${state.phase}`);
        return loaded(state, artifact, search);
      } catch (error) {
        if (!(error instanceof UnreadableArtifact)) {
          return { note: noteOf(search, `${label} could not be downloaded: ${errorMessage(error)}`) };
        }
        skip(search, artifact, error.message, log);
      }
    }
    return { note: nothingFound(search) };
  }
  return { load, ...createStateSaver({ ...options, timeoutMs, retried }) };
}
export {
  createArtifactStateStore
};
