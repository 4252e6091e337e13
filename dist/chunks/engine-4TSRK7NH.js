import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  NothingStagedError
} from "./chunk-43GDDJBF.js";
import {
  finishes,
  modeRules,
  startsWhenIdle
} from "./chunk-UNKOSHO2.js";
import {
  STATE_SCHEMA_VERSION
} from "./chunk-66W6NYYD.js";
import "./chunk-VANO5NEW.js";
import "./chunk-JOUJN4S6.js";
import {
  ActionError,
  DestinationError,
  errorMessage
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// src/rotation/api-plan.ts
var describeStep = {
  restore: "put the active secret back in every destination",
  stage: "generate a new staged secret and write it to the escrow",
  "await-usable": "wait until the staged secret is usable and the token endpoint accepts it",
  publish: "seal and write the staged secret to every destination",
  verify: "request a token with the staged secret",
  activate: "activate the staged secret in Marketing Cloud",
  confirm: "check the new secret is accepted and the old one rejected, delete the escrow secret"
};
var toRotation = [
  { step: "await-usable" },
  { step: "publish" },
  { step: "verify" },
  { step: "activate" },
  { step: "confirm" }
];
function describeActions(actions) {
  return actions.map((a) => `${a.step}: ${describeStep[a.step]}${"why" in a ? ` (${a.why})` : ""}`);
}
function planApi({ situation, mode, due, unconfirmed, rotatedThisRun }) {
  const rules = modeRules.api[mode];
  const stopsAtStaging = !finishes(rules);
  const afterStaging = stopsAtStaging ? [] : toRotation;
  switch (situation.kind) {
    case "blocked":
      if (stopsAtStaging && situation.escrowed) return [];
      throw new ActionError("staged-client-secret", situation.why);
    case "idle":
      if (rotatedThisRun) return [];
      if (rules.whenIdle === "fail") {
        throw new ActionError(
          "mode",
          `mode \`${mode}\` continues a staged rotation, but nothing is staged in Marketing Cloud for this client. Run with mode \`stage\` (or \`rotate\`) first.`
        );
      }
      if (!startsWhenIdle(rules, due)) return [];
      if (stopsAtStaging && unconfirmed) return [];
      return [
        {
          step: "stage",
          why: rules.effect === "act" && rules.whenIdle === "start-when-due" ? "the active secret is due for rotation" : `mode ${mode}`
        },
        ...afterStaging
      ];
    // Whatever the state says was published, this run writes every
    // destination itself (idempotent) before it activates or confirms.
    case "in-progress":
      return stopsAtStaging ? [] : toRotation;
    case "activated":
      return stopsAtStaging ? [] : [{ step: "publish" }, { step: "confirm" }];
    case "staged-not-in-hand":
      return planStagedNotInHand(situation, rules, afterStaging);
  }
}
function planStagedNotInHand(situation, rules, afterStaging) {
  if (!finishes(rules) && situation.escrowed) return [];
  if (rules.whenIdle === "fail") {
    throw new ActionError(
      "staged-client-secret",
      `Nothing to activate that this run can deliver: ${situation.why}. Pass the escrow secret as \`staged-client-secret\`, or run with mode \`stage\` or \`rotate\` to stage a new secret.`
    );
  }
  const restage = { step: "stage", why: `re-stage: ${situation.why}` };
  if (!situation.mayBeHeld) return [restage, ...afterStaging];
  if (!situation.active) {
    throw new ActionError(
      "client-secret",
      `${situation.why}, and some destinations may already hold it. This run also does not hold the active secret, so it cannot put it back safely. Pass the escrow secret as \`staged-client-secret\`, or pass the active secret as \`client-secret\`, and run again.`
    );
  }
  return [{ step: "restore", active: situation.active, why: situation.why }, restage, ...afterStaging];
}

// src/rotation/assess.ts
var ROUNDING_MS = 1e3;
function sameInstant(a, b) {
  return Math.abs(new Date(a).getTime() - new Date(b).getTime()) < ROUNDING_MS;
}
function notBefore(a, b) {
  return a.getTime() >= new Date(b).getTime() - ROUNDING_MS;
}
function activatedSince(status, stagedAt) {
  return status.lastActivatedAt !== null && status.lastActivatedAt.getTime() >= new Date(stagedAt).getTime();
}
var SKEW_MS = 6e4;
function recordUnderWay(state) {
  return state && state.phase !== "idle" ? state.rotation ?? void 0 : void 0;
}
function candidates(facts) {
  const list = facts.escrowed ? [facts.escrowed, facts.current] : [facts.current];
  return list.filter((s, i) => list.findIndex((t) => t.fingerprint === s.fingerprint) === i);
}
function stateContradicts(facts) {
  const { status, state } = facts;
  const record = recordUnderWay(state);
  if (!record) return void 0;
  const stagedAt = new Date(record.stagedAt);
  if (status.lastGeneratedAt === null || !notBefore(status.lastGeneratedAt, stagedAt)) {
    return `it records a secret staged at ${record.stagedAt}, but Marketing Cloud last generated one ` + (status.lastGeneratedAt ? `at ${status.lastGeneratedAt.toISOString()}` : "never");
  }
  const held = candidates(facts).some((s) => s.fingerprint === record.stagedFingerprint);
  const claimsActivation = state?.phase === "activated" || activatedSince(status, stagedAt);
  if (!status.staged && !held && claimsActivation && facts.current.accepted) {
    return `it says the secret staged at ${record.stagedAt} was activated, but Marketing Cloud has nothing staged and accepts client-secret, a different secret`;
  }
  return void 0;
}
function rotationOver(facts) {
  const { status } = facts;
  const record = recordUnderWay(facts.state);
  if (!record || !gitHubShowsOver(facts) || !activatedSince(status, record.stagedAt)) return void 0;
  return byFingerprint(facts, record.stagedFingerprint)?.accepted ? record : void 0;
}
function gitHubShowsOver(facts) {
  return facts.escrowChecked === true && facts.escrowUpdatedAt === void 0 && facts.staleDestinations?.length === 0;
}
function assess(facts) {
  const { status, state } = facts;
  const record = recordUnderWay(state);
  return status.staged ? whileStaged(facts, status.staged, record) : whileNothingStaged(facts, record);
}
function byFingerprint(facts, fp) {
  return candidates(facts).find((s) => s.fingerprint === fp);
}
function whileStaged(facts, staged, record) {
  const escrowFresh = facts.escrowUpdatedAt !== void 0 && facts.escrowUpdatedAt.getTime() >= staged.createdAt.getTime() - SKEW_MS;
  if (record && sameInstant(record.stagedAt, staged.createdAt)) {
    const held = byFingerprint(facts, record.stagedFingerprint);
    if (held) return { kind: "in-progress", staged: held, record };
    const active = candidates(facts).find((s) => s.accepted && s.fingerprint !== record.stagedFingerprint);
    return {
      kind: "staged-not-in-hand",
      mayBeHeld: true,
      active,
      why: "the staged secret recorded in the state was not passed in (staged-client-secret) and no input matches it",
      escrowed: escrowFresh
    };
  }
  return unrecordedStaging(facts, staged, escrowFresh);
}
function unrecordedStaging(facts, staged, escrowFresh) {
  const { status } = facts;
  const escrowed = facts.escrowed;
  const isCurrent = escrowed?.fingerprint === facts.current.fingerprint;
  const writtenSinceActivation = status.lastActivatedAt === null || facts.escrowUpdatedAt !== void 0 && facts.escrowUpdatedAt > status.lastActivatedAt;
  if (escrowFresh && escrowed && (!isCurrent || writtenSinceActivation)) {
    return {
      kind: "in-progress",
      staged: escrowed,
      record: {
        stagedFingerprint: escrowed.fingerprint,
        previousFingerprint: facts.current.accepted && !isCurrent ? facts.current.fingerprint : void 0,
        stagedAt: staged.createdAt.toISOString(),
        usableAt: staged.usableAt.toISOString(),
        expiresAt: staged.expiresAt.toISOString(),
        escrowId: "",
        publishedTo: [],
        stagedByRun: 0
      }
    };
  }
  if (escrowFresh) {
    return {
      kind: "blocked",
      why: "Marketing Cloud has a staged secret and the escrow secret was written after it was staged, but this run did not receive it as a different value from client-secret. Pass the escrow secret as the `staged-client-secret` input and run again. If another run of this workflow is rotating this client right now, let it finish instead.",
      escrowed: true
    };
  }
  return {
    kind: "staged-not-in-hand",
    mayBeHeld: false,
    active: facts.current.accepted ? facts.current : void 0,
    why: "Marketing Cloud has a staged secret that was never escrowed by this action (a run stopped right after staging, or it was generated in Setup)"
  };
}
function whileNothingStaged(facts, record) {
  const { status, state } = facts;
  if (record) {
    const activated = activatedSince(status, record.stagedAt);
    const held = byFingerprint(facts, record.stagedFingerprint);
    if (activated && held) return { kind: "activated", secret: held, record };
    if (activated) {
      return {
        kind: "blocked",
        why: "The staged secret was activated, but this run holds neither it nor a copy: pass the escrow secret (`staged-client-secret`) or the new secret as `client-secret` so it can be delivered and confirmed."
      };
    }
    if (state?.phase === "published" || record.publishedTo.length > 0 || state?.phase === "staged") {
      return {
        kind: "staged-not-in-hand",
        mayBeHeld: true,
        active: candidates(facts).find((s) => s.accepted && s.fingerprint !== record.stagedFingerprint),
        why: "the secret staged by an earlier run is no longer staged in Marketing Cloud and was not activated (it expired or was revoked)"
      };
    }
  }
  if (facts.escrowed?.accepted && facts.escrowUpdatedAt !== void 0 && (!facts.current.accepted || facts.current.fingerprint === facts.escrowed.fingerprint)) {
    return {
      kind: "activated",
      secret: facts.escrowed,
      record: {
        stagedFingerprint: facts.escrowed.fingerprint,
        stagedAt: (status.lastGeneratedAt ?? status.active.createdAt).toISOString(),
        usableAt: (status.lastGeneratedAt ?? status.active.createdAt).toISOString(),
        expiresAt: status.active.expiresAt.toISOString(),
        escrowId: "",
        publishedTo: [],
        stagedByRun: 0
      }
    };
  }
  return { kind: "idle" };
}

// src/rotation/await-usable.ts
var PROGRESS_EVERY_MS = 3e4;
var POLL_FIRST_MS = 1e3;
var POLL_MAX_MS = 15e3;
async function sleepUntil(until, deps, what) {
  for (let left = until - deps.clock.now(); left > 0; left = until - deps.clock.now()) {
    deps.log.info(`Waiting ${Math.ceil(left / 1e3)} s more for ${what}.`);
    await deps.sleep(Math.min(left, PROGRESS_EVERY_MS));
  }
}
async function awaitUsable(secret, usableAt, deadline, deps) {
  await sleepUntil(Math.min(usableAt.getTime(), deadline), deps, "the staged secret to become usable");
  let interval = POLL_FIRST_MS;
  let lastProgress = deps.clock.now();
  for (let attempt = 1; ; attempt++) {
    const check = await deps.tokens.check(secret, { fresh: true });
    if (check.accepted) {
      deps.log.info(`The staged secret is accepted by the token endpoint (attempt ${attempt}).`);
      return;
    }
    const now = deps.clock.now();
    if (now + interval > deadline) {
      throw new ActionError(
        "max-wait-seconds",
        `The staged secret was still rejected by the token endpoint (${check.reason}) when max-wait-seconds ran out. Nothing was published or activated; run again later and the rotation resumes from the staged secret.`
      );
    }
    if (now + interval - lastProgress > PROGRESS_EVERY_MS) {
      deps.log.info(`Still waiting: the token endpoint rejects the staged secret (${check.reason}).`);
      lastProgress = now;
    }
    await deps.sleep(interval);
    interval = Math.min(POLL_MAX_MS, Math.round(interval * 1.5));
  }
}

// src/rotation/fingerprint.ts
import { createHash } from "node:crypto";
function fingerprint(clientId, secret) {
  return createHash("sha256").update(`sfmc-secret-rotation/v1\0${clientId}\0${secret}`, "utf8").digest("hex").slice(0, 16);
}

// src/rotation/result.ts
function oldestAge(readings) {
  return readings.reduce((a, b) => a && a.at <= b.at ? a : b, void 0);
}
function emptyResult(mode) {
  return {
    mode,
    headline: "",
    phase: "idle",
    rotated: false,
    destinations: [],
    destinationsUpdated: [],
    steps: [],
    plan: [],
    notes: []
  };
}

// src/rotation/run-context.ts
var DAY_MS = 864e5;
var HISTORY_LIMIT = 50;
function inHand(clientId, secret, accepted) {
  return { secret, fingerprint: fingerprint(clientId, secret), accepted };
}
function rejectedClientSecret(cfg, why, extra = "") {
  return new ActionError(
    "client-secret",
    `Marketing Cloud rejects client-secret for client ${cfg.clientId} (${why}). Pass the secret your workflow holds now (for example \${{ secrets.${cfg.destinations[0]?.name} }}), and check client-id and account-id; nothing was changed.` + extra
  );
}
var RUN_BUDGET_BEYOND_WAIT_MS = 6e5;
var RunContext = class {
  deps;
  cfg;
  result;
  /** What the mode may do under this `management` (src/modes.ts); the engine reads this, never the mode's name. */
  rules;
  /** The newest state, as loaded and then as saved by this run. */
  state;
  /** The rotation in progress, written into the state on each save. */
  record;
  /** When the run started (ms since the epoch). */
  startedAt;
  /** When waiting must end (max-wait-seconds from the start of the run). */
  deadline;
  /** After this no step starts (RUN_BUDGET_BEYOND_WAIT_MS beyond the deadline). */
  budgetEnds;
  /** The active secret and when it was generated, as this run learned it; saved with the state. */
  activeSecret;
  /** When the loaded state was saved (the older of the artifact's creation and the state's time). */
  loadedAt;
  /** A state was saved by this run. */
  saved = false;
  /** `idle` is to be saved at the run's successful end (`saveOwedIdle`). */
  idleOwed = false;
  /** This run received stale inputs (another run finished the rotation since it was queued): it saves nothing aside. */
  stoodDown = false;
  /** The phase marked but not yet saved (see `mark`). */
  pending;
  /** Each destination's `updated_at` as first read in this run, before this run wrote any. */
  destinationTimes;
  /** Preflight's answers of the token endpoint, by fingerprint (`ask`). */
  answers = /* @__PURE__ */ new Map();
  constructor(deps) {
    this.deps = deps;
    this.cfg = deps.config;
    this.rules = modeRules[this.cfg.management][this.cfg.mode];
    this.startedAt = deps.clock.now();
    this.deadline = this.startedAt + this.cfg.maxWaitSeconds * 1e3;
    this.budgetEnds = this.deadline + RUN_BUDGET_BEYOND_WAIT_MS;
    this.result = emptyResult(this.cfg.mode);
  }
  now() {
    return new Date(this.deps.clock.now());
  }
  /**
   * Preflight's question to the token endpoint about a secret passed in: the
   * same secret passed in twice (same fingerprint) is asked about once, and
   * both share the answer.
   */
  ask(secret, options) {
    const key = fingerprint(this.cfg.clientId, secret);
    const answer = this.answers.get(key) ?? this.deps.tokens.check(secret, options);
    this.answers.set(key, answer);
    return answer;
  }
  /** The secret in hand, if one was passed in, and whether the token endpoint accepts it (`ask`). */
  async held(secret, options) {
    if (!secret) return void 0;
    return inHand(this.cfg.clientId, secret, (await this.ask(secret, options)).accepted);
  }
  /**
   * Records the active secret's age in `api` mode: Marketing Cloud's, unless the state's record of
   * the same secret is older (a wrong record can only make a rotation due early).
   */
  recordOldestAge(active, recorded, fp) {
    const readings = [{ at: active.createdAt, source: "management-api" }];
    if (recorded) readings.push({ at: recorded, source: "state" });
    const oldest = oldestAge(readings);
    const lifetime = active.expiresAt.getTime() - active.createdAt.getTime();
    return this.recordAge(oldest.at, oldest.source, new Date(oldest.at.getTime() + lifetime), fp);
  }
  /**
   * Records the active secret's age and dates in the result (and, given its
   * fingerprint, in the state saved next); true when a rotation is due.
   */
  recordAge(createdAt, source, expiresAt, fp) {
    if (fp) this.activeSecret = { fingerprint: fp, createdAt: createdAt.toISOString() };
    this.result.secretAge = { createdAt, source };
    this.result.expiresAt = expiresAt;
    this.result.nextRotationAt = new Date(createdAt.getTime() + this.cfg.rotateAfterDays * DAY_MS);
    return this.deps.clock.now() >= this.result.nextRotationAt.getTime();
  }
  notDue() {
    return `No rotation due; the next one is due ${this.result.nextRotationAt?.toISOString() ?? "later"}.`;
  }
  /** The headline of `status` and `plan`: status also names the phase. */
  reportHeadline(text) {
    this.result.headline = `${this.rules.effect === "report" ? `Phase ${this.result.phase}. ` : ""}${text}`;
  }
  async step(name, detail, fn) {
    this.withinBudget(name);
    const record = {
      step: name,
      startedAt: this.now(),
      endedAt: this.now(),
      outcome: "done",
      detail
    };
    this.result.steps.push(record);
    this.deps.log.info(`[${name}] ${detail}`);
    try {
      return await this.deps.log.group(`${name} details`, fn);
    } catch (error) {
      record.outcome = "failed";
      throw error;
    } finally {
      record.endedAt = this.now();
    }
  }
  /** Stops before a step once the run's time budget is spent; the step and all after it are left to the next run. */
  withinBudget(name) {
    if (name === "load" || name === "preflight" || this.deps.clock.now() <= this.budgetEnds) return;
    const budget = Math.round((this.budgetEnds - this.startedAt) / 1e3);
    throw new ActionError(
      "time budget",
      `This run used its time budget (max-wait-seconds + ${RUN_BUDGET_BEYOND_WAIT_MS / 1e3} s = ${budget} s) before the ${name} step: GitHub or Marketing Cloud answered slowly. It stopped there, a safe point: nothing of that step was done. Run again; the rotation resumes where it stopped.`
    );
  }
  /**
   * Proves the github-token can write at `destination` (a probe secret beside
   * it: docs/DESIGN.md, "Finding a missing permission"), then runs `next`
   * while the probe is deleted; a probe left behind is a note.
   */
  async afterWriteCheck(destination, next) {
    const probe = await this.deps.secrets.probeWrite(destination);
    try {
      return await next();
    } finally {
      const left = await probe.removed;
      if (left) this.result.notes.push(left);
    }
  }
  /** Records a step that was not run, and why. */
  skip(name, detail) {
    this.result.steps.push({
      step: name,
      startedAt: this.now(),
      endedAt: this.now(),
      outcome: "skipped",
      detail
    });
  }
  /** The load step: the newest state of this client, if any. */
  async load() {
    const loaded = await this.step("load", "find the newest state artifact", () => this.deps.store.load());
    if (loaded.state && loaded.state.clientId !== this.cfg.clientId) {
      this.result.notes.push(
        `The state artifact belongs to client ${loaded.state.clientId}; it was ignored.`
      );
    } else {
      this.state = loaded.state;
      const times = [loaded.savedAt, loaded.state && new Date(loaded.state.updatedAt)].filter(
        (t) => t !== void 0
      );
      this.loadedAt = times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : void 0;
    }
    if (loaded.note) this.result.notes.push(`State: ${loaded.note}.`);
    this.result.phase = this.state?.phase ?? "idle";
  }
  /**
   * The stored state contradicts what the platforms show: say so, and go on
   * as if there were none (the state may tell where to resume, never block).
   */
  setAside(why) {
    this.distrust(
      `The stored rotation state was set aside: ${why}. This run continues from what Marketing Cloud and GitHub show.`
    );
    this.state = void 0;
    this.record = void 0;
    this.result.phase = "idle";
  }
  /** A warning in the log and a note in the summary, about state this run did not believe. */
  distrust(text) {
    this.deps.log.warning(text);
    this.result.notes.push(text);
  }
  /** When the state says the secret with this fingerprint was generated: as the active one, or from a rotation in its history. */
  stateAgeOf(fp) {
    const { state } = this;
    if (state?.activeSecret?.fingerprint === fp) return new Date(state.activeSecret.createdAt);
    const rotation = state?.history.findLast((h) => h.fingerprint === fp);
    return rotation ? new Date(rotation.stagedAt) : void 0;
  }
  /** Each destination's `updated_at`, read once per run (so before this run writes any). */
  async destinationsWrittenAt() {
    if (!this.destinationTimes) {
      const times = await Promise.all(
        this.cfg.destinations.map(async (d) => [d.id, await this.deps.secrets.updatedAt(d)])
      );
      this.destinationTimes = new Map(times);
    }
    return this.destinationTimes;
  }
  /** Says the state's claim that every destination holds the staged secret was set aside: `stale` were not written since. */
  distrustDelivery(stale, since, consequence = "") {
    this.distrust(
      `The stored state says every destination holds the staged secret, but ${stale.join(", ")} ${stale.length === 1 ? "was" : "were"} not written since it was ${since}; that claim was ignored${consequence}.`
    );
  }
  /** Destinations with no secret, or one last written before `since` (less the skew): they cannot hold a secret staged then. */
  async writtenBefore(since) {
    const times = await this.destinationsWrittenAt();
    return [...times].filter(([, at]) => at === void 0 || at.getTime() < since.getTime() - SKEW_MS).map(([id]) => id);
  }
  /** The rotation record, once a rotation is under way. */
  rotation() {
    if (!this.record) throw new Error("engine: no rotation record");
    return this.record;
  }
  /**
   * The state at this point of the run, with `phase`: by default the rotation
   * under way (none when idle), and the newest state's history and last activation.
   */
  stateAt(phase, extra = {}) {
    const { cfg } = this;
    const rotation = phase === "idle" ? null : this.record ?? null;
    return {
      schemaVersion: STATE_SCHEMA_VERSION,
      clientId: cfg.clientId,
      phase,
      updatedAt: this.now().toISOString(),
      runId: cfg.runId,
      runAttempt: cfg.runAttempt,
      rotation: extra.rotation === void 0 ? rotation : extra.rotation,
      lastActivatedAt: extra.lastActivatedAt ?? this.state?.lastActivatedAt ?? null,
      activeSecret: this.activeSecret ?? this.state?.activeSecret,
      history: extra.history ?? this.state?.history ?? []
    };
  }
  /** Saves the state now: for a step whose crash the platforms would not tell a rerun about. */
  async save(phase, extra = {}) {
    await this.write(this.stateAt(phase, extra));
  }
  /**
   * Records the phase reached, saved when the run ends (`flush`): for a step
   * whose crash the platforms tell a rerun about (docs/DESIGN.md, "Saves").
   * A save of the run, or a later mark, supersedes it.
   */
  mark(phase) {
    this.pending = phase;
    this.result.phase = phase;
  }
  /** Saves the phase last marked, if no save came after it. */
  async flush() {
    const phase = this.pending;
    if (phase === void 0) return;
    this.pending = void 0;
    await this.save(phase);
  }
  /** This run saved a state. */
  get hasSaved() {
    return this.saved;
  }
  async write(state) {
    this.pending = void 0;
    const { artifactId } = await this.deps.store.save(state);
    this.saved = true;
    this.state = state;
    this.result.phase = state.phase;
    this.result.stateArtifactId = artifactId;
  }
  /**
   * Artifacts expire (90 days at most in public repositories), and a run saves
   * only when something changes: a run that saved nothing and finds the state
   * older than half its retention saves it again, so a schedule never loses it
   * (`saveAside`: never over another run's newer save).
   */
  async refresh(othersActed) {
    const { state, loadedAt, cfg } = this;
    if (!state || !loadedAt) return;
    const ageDays = (this.deps.clock.now() - loadedAt.getTime()) / DAY_MS;
    if (ageDays < cfg.stateRetentionDays / 2) return;
    const kept = await this.saveAside(othersActed, state.phase, { rotation: state.rotation });
    if (kept)
      this.result.notes.push(
        `State refreshed: the newest state was saved ${Math.floor(ageDays)} days ago, over half of state-retention-days (${cfg.stateRetentionDays}); it was saved again.`
      );
  }
  /**
   * The stored rotation is history (the platforms show it over), was set
   * aside, or was finished by this run without a save: a run that acts and
   * saves nothing else saves `idle` at its successful end, so later runs
   * neither read every destination nor warn again (docs/DESIGN.md, "Saves").
   */
  oweIdle() {
    this.idleOwed = true;
  }
  /** Saves the owed `idle`, aside (never over the record of a run that staged meanwhile). */
  async saveOwedIdle(othersActed) {
    if (this.idleOwed) await this.saveAside(othersActed, "idle");
  }
  /** This run holds the secret a finished rotation replaced: it changes nothing, the state included. */
  standDown() {
    this.stoodDown = true;
  }
  /**
   * Saves a state no step of this run needed (the owed `idle`, a refresh),
   * then asks the platforms whether another run acted since preflight; if so
   * the artifact is withdrawn, so that run's save stays the newest whichever
   * upload came first (docs/DESIGN.md, "Saves"). Only later runs' reads
   * depend on such a save: a failure is a note. Only a run that acts, saved
   * nothing else and did not stand down saves one. True when it was kept.
   */
  async saveAside(othersActed, phase, extra = {}) {
    if (this.rules.effect !== "act" || this.saved || this.stoodDown) return false;
    if (this.cfg.runAttempt > 1 && this.state?.runId === this.cfg.runId) return false;
    try {
      await this.write(this.stateAt(phase, extra));
    } catch (error) {
      this.result.notes.push(
        `The state could not be saved as ${phase} (${errorMessage(error)}); a later run reads the platforms again.`
      );
      return false;
    }
    const acted = await othersActed().catch((error) => errorMessage(error));
    if (acted === false) return true;
    try {
      await this.deps.store.withdraw();
      this.result.stateArtifactId = void 0;
      this.result.notes.push(
        `${acted === true ? "Another run changed the rotation while this one worked" : `This run could not ask whether another run changed the rotation (${acted})`}: the state it saved was withdrawn, so such a run's stays the newest.`
      );
    } catch (error) {
      this.distrust(
        `The state this run saved could not be withdrawn (${errorMessage(error)}), though another run may have changed the rotation since preflight: the newest state may not be that run's. A later run goes by the platforms where the state contradicts them.`
      );
    }
    return false;
  }
  /**
   * Ends the rotation under way: the result says it rotated, and the state in
   * memory is `idle` with the rotation appended to its history. Saving it is
   * the caller's choice (docs/DESIGN.md, "Saves").
   */
  completed(secret, activatedAt) {
    this.settle(this.rotation(), activatedAt, {
      fingerprint: secret.fingerprint,
      confirmedAt: this.now().toISOString(),
      runId: this.cfg.runId
    });
    this.pending = void 0;
    this.result.rotated = true;
    this.result.headline = `Rotated: the new secret is active and delivered to ${this.cfg.destinations.length} destination(s).`;
    this.result.activatedAt = new Date(activatedAt);
  }
  /** Saves `idle` with the finished rotation appended to the history. */
  async saveCompleted(secret, activatedAt) {
    this.completed(secret, activatedAt);
    await this.save("idle");
  }
  /**
   * The stored rotation is over (this run confirmed it, or the platforms show
   * it finished): in memory the state is `idle`, with it in the history, so a
   * later save of this run keeps it, and its staging dates the new secret.
   */
  settle(record, activatedAt, entry = {
    fingerprint: record.stagedFingerprint,
    // A record rebuilt from the platforms names no run (0): the run that saved it resumed it.
    runId: record.stagedByRun || (this.state?.runId ?? this.cfg.runId)
  }) {
    const history = [
      ...this.state?.history ?? [],
      { ...entry, previousFingerprint: record.previousFingerprint, stagedAt: record.stagedAt, activatedAt }
    ].slice(-HISTORY_LIMIT);
    this.record = void 0;
    const base = this.state ?? this.stateAt("idle");
    const activeSecret = { fingerprint: entry.fingerprint, createdAt: record.stagedAt };
    this.state = {
      ...base,
      phase: "idle",
      rotation: null,
      history,
      lastActivatedAt: activatedAt,
      activeSecret
    };
    this.result.phase = "idle";
  }
  /**
   * Writes the secret to every destination. `publish` records progress in the
   * rotation record; `restore` puts the active secret back. Any failure
   * throws, naming the destinations, after the other writes were made.
   */
  async writeDestinations(secret, kind) {
    const outcomes = await this.deps.secrets.publish(this.cfg.destinations, secret);
    this.result.destinations = outcomes.map(
      (o) => ({
        destination: o.destination,
        outcome: o.ok ? "updated" : "failed",
        error: o.error
      })
    );
    if (kind === "publish") {
      const record = this.rotation();
      const done = new Set(record.publishedTo);
      for (const o of outcomes) if (o.ok) done.add(o.destination.id);
      record.publishedTo = [...done];
      this.result.destinationsUpdated = outcomes.filter((o) => o.ok).map((o) => o.destination.id);
    }
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw new DestinationError(
        failed[0]?.destination.id ?? "destinations",
        `Could not write ${failed.length} of ${outcomes.length} destinations; nothing was activated. ` + failed.map((o) => o.error ?? o.destination.id).join(" ") + " Fix this and run again: the rotation resumes."
      );
    }
    return outcomes;
  }
};
var Flow = class {
  ctx;
  constructor(ctx) {
    this.ctx = ctx;
  }
  get cfg() {
    return this.ctx.cfg;
  }
  get rules() {
    return this.ctx.rules;
  }
  get deps() {
    return this.ctx.deps;
  }
  get result() {
    return this.ctx.result;
  }
};

// src/rotation/settled.ts
async function settled(calls) {
  const keys = Object.keys(calls);
  const results = await Promise.allSettled(keys.map((key) => calls[key]));
  return Object.fromEntries(keys.map((key, i) => [key, results[i]]));
}
function resultOf(result) {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

// src/rotation/api-flow.ts
var VERIFY_REUSE_MS = 3e4;
var STATUS_REUSE_MS = 6e4;
function gitHubEvidence(escrow, stale) {
  return { escrowChecked: escrow !== void 0, escrowUpdatedAt: escrow?.at, staleDestinations: stale };
}
var ApiRotation = class extends Flow {
  management;
  staged;
  current;
  escrowed;
  status;
  /** When preflight asked for `status` (clock ms), before the state and the keys were in. */
  statusAskedAt = 0;
  /** Preflight's read of the escrow (`at` undefined: none exists); undefined when it did not read it. */
  escrow;
  /** The staged secret was activated, in this run or an earlier one. */
  activated = false;
  /** No state, yet an escrow secret exists: a rotation may be activated but not confirmed. */
  unconfirmed = false;
  /** The stored rotation preflight found over. */
  settled;
  /** Whether another live run holds this rotation was asked already. */
  othersAsked = false;
  /** This run wrote the staged secret to every destination: the evidence activation and confirmation need. */
  delivered = false;
  /** This run staged the secret in hand: the record's times are Marketing Cloud's reply, not the state's word. */
  stagedHere = false;
  /** Marketing Cloud's reply to this run's activation (or its status showing it done elsewhere). */
  activation;
  /** The `staged` save, under way while Marketing Cloud makes the staged secret usable. */
  stagedSave;
  /** Marketing Cloud's answer to this run's activation named its staging, right after the token endpoint accepted it. */
  switchShown = false;
  /** When the token endpoint last accepted the staged secret in this run (clock ms). */
  stagedAcceptedAt;
  constructor(ctx, management) {
    super(ctx);
    this.management = management;
  }
  /** The mode's row under `api`, which says whether it stops at staging and waits past max-wait-seconds. */
  get rules() {
    return modeRules.api[this.cfg.mode];
  }
  async run() {
    const { ctx } = this;
    const loaded = ctx.load();
    const reads = this.preflightReads(loaded);
    await loaded;
    const situation = await ctx.step(
      "preflight",
      "check inputs, GitHub access and Marketing Cloud",
      () => this.preflight(reads)
    );
    if (situation === "superseded") return ctx.standDown();
    const due = this.describeAge();
    const actions = this.planOrReport(situation, due);
    this.result.plan = describeActions(actions);
    if (this.rules.effect !== "act") {
      this.result.stagedAt ??= this.status.staged?.createdAt;
      this.ctx.reportHeadline(this.headlineFor(situation, actions));
      if (this.rules.effect === "dry-run") {
        this.result.destinations = this.cfg.destinations.map((destination) => ({
          destination,
          outcome: actions.some((a) => a.step === "publish" || a.step === "restore") ? "would-update" : "unchanged"
        }));
      }
      return;
    }
    for (const action of actions) {
      const stop = await this.execute(action);
      if (stop) break;
    }
    this.result.headline ||= this.headlineFor(situation, actions);
  }
  /**
   * Preflight's independent reads, sent together: the destinations' public
   * keys, the token endpoint's answer for each secret in hand, and Marketing
   * Cloud's status. Settled, never rejected: preflight takes their results
   * (and failures) in this order, so it decides and fails as it would had
   * they been made one by one.
   */
  preflightReads(loaded) {
    const { deps, cfg } = this;
    const current = this.ctx.ask(cfg.clientSecret);
    const escrowed = this.ctx.held(cfg.stagedClientSecret);
    const status = Promise.all([current, escrowed]).then(async ([check, held]) => {
      if (!check.accepted && !held) return void 0;
      const working = check.accepted ? cfg.clientSecret : held?.accepted ? held.secret : void 0;
      if (working) deps.onWorkingSecret?.(working);
      const askedAt = deps.clock.now();
      return { status: await this.management.status(), askedAt };
    });
    return settled({
      keys: this.rules.effect === "report" ? void 0 : deps.secrets.prepare([...cfg.destinations, cfg.escrow]),
      current,
      escrowed,
      status,
      escrowAt: loaded.then(() => this.escrowFirst()),
      stale: loaded.then(() => this.staleSinceStoredStaging())
    });
  }
  /**
   * The escrow's `updated_at`, when it decides something before the status is
   * in: an escrow in hand, a stage job (an escrow left without state marks an
   * unconfirmed rotation), or a stored rotation (its escrow gone is part of
   * the evidence that it is over; a failed read leaves that unread). A
   * staging on Marketing Cloud asks for it later.
   */
  escrowFirst() {
    if (this.cfg.stagedClientSecret || !finishes(this.rules)) return this.readEscrow();
    if (recordUnderWay(this.ctx.state)) return this.readEscrow().catch(() => void 0);
    return Promise.resolve(void 0);
  }
  /** For a stored rotation, the destinations not written since its staging (assess.ts `rotationOver`); a failed read leaves them unread. */
  async staleSinceStoredStaging() {
    const record = recordUnderWay(this.ctx.state);
    return record ? this.ctx.writtenBefore(new Date(record.stagedAt)).catch(() => void 0) : void 0;
  }
  async readEscrow() {
    return { at: await this.deps.secrets.updatedAt(this.cfg.escrow) };
  }
  /** `superseded`: this run was queued before the last rotation finished and holds the secret it replaced. */
  async preflight(pending) {
    const { cfg } = this;
    const reads = await pending;
    resultOf(reads.keys);
    const currentCheck = resultOf(reads.current);
    this.current = inHand(cfg.clientId, cfg.clientSecret, currentCheck.accepted);
    this.escrowed = resultOf(reads.escrowed);
    if (!currentCheck.accepted && !this.escrowed) {
      const replacedBy = this.replacedBy(
        this.current,
        gitHubEvidence(resultOf(reads.escrowAt), resultOf(reads.stale))
      );
      if (replacedBy) {
        this.result.headline = `Nothing to do: ${replacedBy} after this run was queued, so this run received the secret it replaced.`;
        return "superseded";
      }
      throw rejectedClientSecret(cfg, currentCheck.reason, this.rotatedSinceQueued());
    }
    const read = resultOf(reads.status);
    if (!read) throw new Error("engine: no status read though a secret is in hand");
    this.status = read.status;
    this.statusAskedAt = read.askedAt;
    const escrow = resultOf(reads.escrowAt) ?? (this.status.staged ? await this.readEscrow() : void 0);
    const escrowUpdatedAt = escrow?.at;
    this.escrow = escrow;
    const facts = {
      state: this.ctx.state,
      status: this.status,
      current: this.current,
      escrowed: this.escrowed,
      ...gitHubEvidence(escrow, resultOf(reads.stale))
    };
    this.settleIfOver(facts);
    const contradiction = stateContradicts(facts);
    if (contradiction) {
      this.ctx.setAside(contradiction);
      facts.state = void 0;
      this.ctx.oweIdle();
    }
    this.unconfirmed = !this.ctx.state && escrowUpdatedAt !== void 0;
    const situation = assess(facts);
    if (situation.kind === "in-progress" || situation.kind === "activated") {
      this.ctx.record = situation.record;
      this.staged = situation.kind === "in-progress" ? situation.staged : situation.secret;
      this.result.stagedAt = new Date(situation.record.stagedAt);
      this.activated = situation.kind === "activated";
      if (this.rules.effect !== "report") await this.doubtClaims(situation);
    }
    return situation;
  }
  /** A stored rotation the platforms show over (assess.ts `rotationOver`) becomes history; the run goes on from there. */
  settleIfOver(facts) {
    const over = rotationOver(facts);
    if (!over) return;
    this.ctx.settle(over, (this.status.lastActivatedAt ?? new Date(over.stagedAt)).toISOString());
    facts.state = this.ctx.state;
    this.settled = over;
    this.ctx.oweIdle();
  }
  /**
   * Marketing Cloud, asked again, shows a generation or an activation that
   * neither preflight nor this run made, or a staging the state in memory
   * does not record: another run may be saving its record, which must stay
   * the newest.
   */
  async othersActed() {
    const now = await this.management.status();
    const same = (a, b) => a && b ? sameInstant(a, b) : !a && !b;
    const activations = [this.status.lastActivatedAt, this.activation?.activatedAt];
    const recorded = recordUnderWay(this.ctx.state);
    return !same(now.lastGeneratedAt, this.status.lastGeneratedAt) || !activations.some((at) => same(now.lastActivatedAt, at)) || now.staged !== null && !(recorded && sameInstant(recorded.stagedAt, now.staged.createdAt));
  }
  /**
   * The state's word on progress is a hint: every step it claims is done
   * again or checked (publish writes every destination before activation and
   * confirmation). Where the platforms show less than it claims, say so.
   */
  async doubtClaims(situation) {
    const phase = this.ctx.state?.phase;
    if (phase === "activated" && situation.kind === "in-progress") {
      this.ctx.distrust(
        "The stored state says the staged secret was activated, but Marketing Cloud still has it staged; that claim was ignored."
      );
    }
    if (phase !== "published" && phase !== "activated") return;
    const stale = await this.ctx.writtenBefore(new Date(situation.record.stagedAt));
    if (stale.length > 0) {
      this.ctx.distrustDelivery(
        stale,
        "staged",
        ", and this run writes every destination before it activates or confirms"
      );
    }
  }
  /**
   * Which completed rotation replaced this secret, when the state says one
   * did: the last in its history, or its rotation under way once GitHub shows
   * that rotation over (its escrow gone, every destination written since its
   * staging; Marketing Cloud rejecting the secret it replaced says it was activated).
   */
  replacedBy(secret, evidence) {
    const { state } = this.ctx;
    const record = recordUnderWay(state);
    if (state && record) {
      if (record.previousFingerprint !== secret.fingerprint || !gitHubShowsOver(evidence)) return void 0;
      this.result.phase = "idle";
      return `run ${record.stagedByRun || state.runId} rotated this secret (it staged the new one at ${record.stagedAt}; its escrow is gone and every destination was written since)`;
    }
    const last = state?.history.at(-1);
    if (last?.previousFingerprint !== secret.fingerprint) return void 0;
    return `run ${last.runId} rotated this secret (activated at ${last.activatedAt})`;
  }
  /** Why client-secret may be stale: a run queued behind another (GitHub reads secrets when a run is queued). */
  rotatedSinceQueued() {
    const last = this.ctx.state?.history.at(-1);
    if (!last) return "";
    return ` The state shows a rotation activated at ${last.activatedAt} by run ${last.runId}: if this run was queued before that rotation finished (for example behind it in a concurrency group), it received the secret that rotation replaced, and there is nothing left to do.`;
  }
  /**
   * Fills the active secret's age and dates in the result, and says whether
   * a rotation is due: Marketing Cloud's word, or the state's for the same
   * secret when that is older (a stale or forged record errs early, never late).
   */
  describeAge() {
    const { active } = this.status;
    const inHand2 = [this.current, this.escrowed];
    const activeInHand = inHand2.find((s) => s?.accepted && s.fingerprint === this.settled?.stagedFingerprint) ?? inHand2.find((s) => s?.accepted && s.fingerprint !== this.staged?.fingerprint);
    const recorded = activeInHand && this.ctx.stateAgeOf(activeInHand.fingerprint);
    return this.ctx.recordOldestAge(active, recorded, activeInHand?.fingerprint);
  }
  /** The stored rotation preflight found over, when an earlier attempt of this workflow run staged it. */
  rotatedHere() {
    return this.settled?.stagedByRun === this.cfg.runId ? this.settled : void 0;
  }
  /** In status mode a situation that would stop a rotation is reported, not raised. */
  planOrReport(situation, due) {
    const input = {
      situation,
      mode: this.cfg.mode,
      due,
      unconfirmed: this.unconfirmed,
      rotatedThisRun: this.rotatedHere() !== void 0
    };
    if (this.rules.effect !== "report") return planApi(input);
    try {
      return planApi(input);
    } catch (error) {
      this.result.notes.push(error.message);
      return [];
    }
  }
  headlineFor(situation, actions) {
    const verb = this.rules.effect === "dry-run" ? "Would" : "Will";
    if (actions.length > 0) return `${verb} ${actions.map((a) => a.step).join(", ")}.`;
    const rotated = this.rotatedHere();
    if (rotated && situation.kind === "idle")
      return `Nothing to do: an earlier attempt of this workflow run rotated the secret (staged at ${rotated.stagedAt}); it is active and in every destination.`;
    if (situation.kind === "in-progress" || !finishes(this.rules))
      return "A staged secret is escrowed; a later run (mode activate or auto) finishes the rotation.";
    return this.ctx.notDue();
  }
  /** Runs one action; returns true when the run should stop here. */
  async execute(action) {
    const { ctx } = this;
    switch (action.step) {
      case "restore":
        await this.noOtherRunAtWork();
        await this.unchangedSincePreflight();
        await ctx.step(
          "publish",
          `put the active secret back: ${action.why}`,
          () => ctx.writeDestinations(action.active.secret, "restore")
        );
        await this.deps.secrets.remove(this.cfg.escrow);
        ctx.record = void 0;
        await ctx.save("idle");
        return false;
      case "stage":
        if (this.status.staged) await this.noOtherRunAtWork();
        await ctx.step("stage", describeStep.stage, () => this.stage());
        return false;
      case "await-usable":
        return this.awaitUsable();
      case "publish":
        await ctx.step("publish", describeStep.publish, () => this.publish());
        return false;
      case "verify":
        await ctx.step("verify", describeStep.verify, () => this.verify());
        return false;
      case "activate":
        await ctx.step("activate", describeStep.activate, () => this.activate());
        return false;
      case "confirm":
        await ctx.step("confirm", describeStep.confirm, () => this.confirm());
        return false;
    }
  }
  stagedSecret() {
    if (!this.staged) throw new Error("engine: no staged secret in hand");
    return this.staged;
  }
  async stage() {
    const { deps, cfg, ctx } = this;
    let attempts = 0;
    const staged = await ctx.afterWriteCheck(
      cfg.escrow,
      () => this.management.stage(
        cfg.description,
        () => attempts++ === 0 && this.preflightStatusHolds() ? Promise.resolve() : this.unchangedSincePreflight()
      )
    );
    deps.log.setSecret(staged.clientSecret);
    const held = inHand(cfg.clientId, staged.clientSecret, false);
    this.staged = held;
    const previous = [this.current, this.escrowed].find(
      (s) => s?.accepted && s.fingerprint !== held.fingerprint
    );
    ctx.record = {
      stagedFingerprint: held.fingerprint,
      previousFingerprint: previous?.fingerprint,
      stagedAt: staged.createdAt.toISOString(),
      usableAt: staged.usableAt.toISOString(),
      expiresAt: staged.expiresAt.toISOString(),
      escrowId: cfg.escrow.id,
      publishedTo: [],
      stagedByRun: cfg.runId
    };
    this.result.stagedAt = staged.createdAt;
    this.stagedHere = true;
    const [escrow] = await deps.secrets.publish([cfg.escrow], staged.clientSecret);
    if (!escrow?.ok) {
      throw new DestinationError(
        cfg.escrow.id,
        `A secret was staged in Marketing Cloud but could not be written to the escrow ${cfg.escrow.id}: ${(escrow?.error ?? "unknown error").replace(/\.?$/, ".")} Nothing else was changed. Fix access to the escrow and run again; a new secret is staged after the 5-minute window.`
      );
    }
    const save = ctx.save("staged");
    if (finishes(this.rules) && staged.usableAt.getTime() <= ctx.deadline) {
      this.stagedSave = save;
      save.catch(() => {
      });
    } else {
      await save;
    }
  }
  /**
   * Preflight's status still stands for a first generation: it showed nothing
   * staged, so nothing can have been activated since, and Marketing Cloud
   * refuses a generation within 5 minutes of another (429, errorcode 10029),
   * so one made since by anyone makes this stage fail instead of replacing it.
   * A retry of the stage, or an older read, asks again.
   */
  preflightStatusHolds() {
    return this.status.staged === null && this.deps.clock.now() - this.statusAskedAt < STATUS_REUSE_MS;
  }
  async awaitUsable() {
    try {
      return await this.usable();
    } finally {
      await this.stagedSaved();
    }
  }
  /** The `staged` save, once it has ended; its failure is thrown. */
  async stagedSaved() {
    const save = this.stagedSave;
    this.stagedSave = void 0;
    await save;
  }
  async usable() {
    const { ctx } = this;
    const record = ctx.rotation();
    const usableAt = new Date(record.usableAt);
    const { rules } = this;
    const laterRun = rules.effect === "act" && rules.notUsableInTime === "later-run";
    if (laterRun && usableAt.getTime() > ctx.deadline) {
      this.result.headline = `Staged and escrowed; the secret becomes usable at ${record.usableAt}, after max-wait-seconds, so a later run continues.`;
      ctx.skip("await-usable", `usable at ${record.usableAt}; beyond max-wait-seconds`);
      return true;
    }
    if (usableAt.getTime() > ctx.deadline) {
      throw new ActionError(
        "max-wait-seconds",
        `The staged secret becomes usable at ${record.usableAt}, after max-wait-seconds (${this.cfg.maxWaitSeconds}) runs out. It is staged and escrowed; run again after that time and the rotation resumes.`
      );
    }
    await ctx.step("await-usable", describeStep["await-usable"], async () => {
      const [usable, saved] = await Promise.allSettled([
        awaitUsable(this.stagedSecret().secret, usableAt, ctx.deadline, this.deps),
        this.stagedSaved()
      ]);
      resultOf(saved);
      resultOf(usable);
    });
    this.stagedAcceptedAt = this.deps.clock.now();
    return false;
  }
  async publish() {
    const { ctx } = this;
    try {
      await ctx.writeDestinations(this.stagedSecret().secret, "publish");
      this.delivered = true;
    } catch (error) {
      if (!this.activated) ctx.mark("staged");
      throw error;
    }
    if (!this.activated) {
      ctx.rotation().publishedAt = ctx.now().toISOString();
      ctx.mark("published");
    }
  }
  async verify() {
    const { clock, log } = this.deps;
    const acceptedAt = this.stagedAcceptedAt;
    if (acceptedAt !== void 0 && clock.now() - acceptedAt <= VERIFY_REUSE_MS) {
      log.info(
        `The token endpoint accepted the staged secret ${Math.round((clock.now() - acceptedAt) / 1e3)} s ago, in this run; not asked again.`
      );
      return;
    }
    const check = await this.deps.tokens.check(this.stagedSecret().secret, { fresh: true });
    if (!check.accepted) {
      throw new ActionError(
        "staged-client-secret",
        `The token endpoint now rejects the staged secret (${check.reason}); it was not activated. It may have been replaced in Setup or revoked. Run again: the active secret is put back and a new one is staged.`
      );
    }
    this.stagedAcceptedAt = clock.now();
  }
  /**
   * Generating replaces the staged secret, and putting the active secret back
   * undoes a publication, so right before either make sure nobody generated,
   * activated or escrowed a secret since preflight: another run of the
   * workflow (without a concurrency group), or a person in Setup.
   */
  async unchangedSincePreflight() {
    const { deps, cfg } = this;
    const before = this.status;
    const now = await this.management.status();
    const changes = [];
    if (now.lastGeneratedAt?.getTime() !== before.lastGeneratedAt?.getTime())
      changes.push(`a secret was generated at ${now.lastGeneratedAt?.toISOString()}`);
    if (now.lastActivatedAt?.getTime() !== before.lastActivatedAt?.getTime())
      changes.push(`a secret was activated at ${now.lastActivatedAt?.toISOString()}`);
    if (before.staged) {
      const escrowAt = await deps.secrets.updatedAt(cfg.escrow);
      const before2 = this.escrow?.at;
      if (escrowAt && !(before2 && escrowAt <= before2))
        changes.push(`the escrow ${cfg.escrow.id} was written at ${escrowAt.toISOString()}`);
    }
    if (changes.length === 0) return;
    throw new ActionError(
      "concurrency",
      `Since this run checked Marketing Cloud, ${changes.join(" and ")}: another run of this workflow, or someone in Setup, is rotating client ${cfg.clientId}. This run stopped there: it staged nothing and replaced nothing. Let that rotation finish. ${this.groupAdvice()}`
    );
  }
  groupAdvice() {
    return `To keep runs from overlapping, give the workflow a concurrency group per client id (for example \`concurrency: sfmc-rotation-${this.cfg.clientId}\`).`;
  }
  /**
   * A run that received its inputs before another run escrowed its staged
   * secret finds that staging not in hand; restoring or re-staging would
   * undo what the other run is publishing. So ask GitHub whether the run
   * that staged (or last saved the state) is still at work, and stop if it
   * is. Asked once: a re-stage after a restore needs no second look.
   */
  async noOtherRunAtWork() {
    const { deps, cfg, ctx } = this;
    if (!deps.runs || this.othersAsked) return;
    this.othersAsked = true;
    const state = ctx.state;
    const others = /* @__PURE__ */ new Set([state?.rotation?.stagedByRun, state?.runId]);
    for (const runId of others) {
      if (!runId || runId === cfg.runId) continue;
      const active = await deps.runs.isActive(runId);
      if (active === void 0) {
        this.result.notes.push(
          `Could not ask GitHub whether run ${runId}, which saved the rotation state, is still running (the state-token needs \`actions: read\`); went ahead as if it had ended.`
        );
      } else if (active) {
        throw new ActionError(
          "concurrency",
          `Another run of this workflow, run ${runId}, is rotating client ${cfg.clientId} right now. This run stopped before changing anything: let that run finish. ${this.groupAdvice()}`
        );
      }
    }
  }
  /**
   * Activation found nothing staged. If this run's staged secret was
   * activated meanwhile (by another run, or in Setup), carry on to confirm it.
   */
  async activatedElsewhere(error) {
    if (!(error instanceof NothingStagedError)) throw error;
    const status = await this.management.status();
    if (status.staged || !status.lastActivatedAt || !activatedSince(status, this.ctx.rotation().stagedAt))
      throw error;
    const check = await this.deps.tokens.check(this.stagedSecret().secret, { fresh: true });
    if (!check.accepted) throw error;
    this.result.notes.push(
      `The staged secret was already activated at ${status.lastActivatedAt.toISOString()} (by another run, or in Setup); this run did not activate it again.`
    );
    return { activatedAt: status.lastActivatedAt, expiresAt: status.active.expiresAt };
  }
  async activate() {
    if (!this.delivered) throw new Error("engine: activation before this run wrote every destination");
    const activated = await this.management.activate().catch((error) => this.activatedElsewhere(error));
    this.activation = activated;
    const acceptedAt = this.stagedAcceptedAt;
    this.switchShown = this.stagedHere && sameInstant(activated.expiresAt, this.ctx.rotation().expiresAt) && acceptedAt !== void 0 && this.deps.clock.now() - acceptedAt <= VERIFY_REUSE_MS;
    this.ctx.rotation().activatedAt = activated.activatedAt.toISOString();
    this.activated = true;
    this.result.activatedAt = activated.activatedAt;
    this.result.expiresAt = activated.expiresAt;
    this.deps.onWorkingSecret?.(this.stagedSecret().secret);
    this.ctx.mark("activated");
  }
  /**
   * The new secret's dates after the switch, or an error when Marketing
   * Cloud does not show this staging activated. A run that staged and
   * activated it itself has both from Marketing Cloud's replies; any other
   * run asks for the status (the state's word on either is a hint only).
   */
  async switched() {
    const record = this.ctx.rotation();
    if (this.stagedHere && this.activation) {
      const { activatedAt, expiresAt } = this.activation;
      return { active: { createdAt: new Date(record.stagedAt), expiresAt }, lastActivatedAt: activatedAt };
    }
    const status = await this.management.status();
    const stillStaged = status.staged !== null && sameInstant(status.staged.createdAt, record.stagedAt);
    const activatedSince2 = status.lastActivatedAt !== null && notBefore(status.lastActivatedAt, record.stagedAt);
    if (stillStaged || !activatedSince2) {
      throw new ActionError(
        "Marketing Cloud",
        `Marketing Cloud does not show the secret staged at ${record.stagedAt} as activated, so the escrow ${this.cfg.escrow.id} was kept. Run again (mode activate or rotate) to activate it.`
      );
    }
    return status;
  }
  /** Throws unless the token endpoint accepts the new secret now, after the switch. */
  async newAccepted(secret) {
    const check = await this.deps.tokens.check(secret.secret, { fresh: true });
    if (!check.accepted) {
      throw new ActionError(
        "client-id",
        `After activation the token endpoint rejects the new secret (${check.reason}). Check the package in Setup.`
      );
    }
  }
  /**
   * The previous secret's answer, as a note; true when it is still accepted.
   * A failed check stops the run before the escrow is deleted, but once it
   * is deleted (`deleted`) it is a note as well: the rotation is done.
   */
  noteOldSecret(read, deleted) {
    if (read.status === "rejected") {
      if (!deleted) throw read.reason;
      this.result.notes.push(
        `The previous secret's rejection could not be checked (${errorMessage(read.reason)}).`
      );
      return false;
    }
    const check = read.value;
    this.result.notes.push(
      !check ? "The previous secret was not in hand in this run, so its rejection was not checked." : check.accepted ? "The previous secret is still accepted by the token endpoint after activation; check the package in Setup." : "The previous secret is now rejected by the token endpoint, as expected."
    );
    return check?.accepted === true;
  }
  async confirm() {
    const { deps, cfg, ctx } = this;
    if (!this.delivered) throw new Error("engine: confirmation before this run wrote every destination");
    const secret = this.stagedSecret();
    const record = ctx.rotation();
    const old = [this.current, this.escrowed].find((s) => s && s.fingerprint !== secret.fingerprint);
    const shown = this.switchShown;
    const reads = await settled({
      status: this.switched(),
      fresh: shown ? void 0 : this.newAccepted(secret),
      old: old && deps.tokens.check(old.secret, { fresh: true }),
      removed: shown ? deps.secrets.remove(cfg.escrow) : void 0
    });
    const status = resultOf(reads.status);
    resultOf(reads.fresh);
    resultOf(reads.removed);
    if (this.noteOldSecret(reads.old, shown) && shown) await this.newAccepted(secret);
    if (!shown) await deps.secrets.remove(cfg.escrow);
    const activatedAt = record.activatedAt ?? status.lastActivatedAt?.toISOString() ?? ctx.now().toISOString();
    ctx.recordOldestAge(status.active, new Date(record.stagedAt), secret.fingerprint);
    ctx.completed(secret, activatedAt);
    if (this.escrow && !this.escrow.at && !this.stagedHere) this.ctx.oweIdle();
  }
};

// src/rotation/setup-plan.ts
function assessSetup(facts) {
  const { current, escrowed, previous, state } = facts;
  const record = recordUnderWay(state);
  const fresh = escrowed && escrowed.fingerprint !== current.fingerprint ? escrowed : void 0;
  if (record && fresh && fresh.fingerprint !== record.stagedFingerprint)
    return supersede(facts, record, fresh);
  const takenUp = takeUp(facts, record);
  if (takenUp) return takenUp;
  if (record) {
    const staged = [escrowed, current].find((s) => s?.fingerprint === record.stagedFingerprint);
    const old = [previous, current].find((s) => s && s.fingerprint === record.previousFingerprint);
    if (staged && state?.phase === "published") {
      const situation = staged.accepted ? { kind: "distributed", staged, old } : { kind: "staged-broken", staged, old };
      return { situation, record: { stored: record } };
    }
    if (staged) return { situation: undistributed(staged, current, previous), record: { stored: record } };
  }
  if (fresh) return { situation: undistributed(fresh, current, previous), record: { escrowed: fresh } };
  return { situation: { kind: "idle" } };
}
function supersede(facts, record, fresh) {
  const { current, previous } = facts;
  const currentIsRecord = current.fingerprint === record.stagedFingerprint;
  const recordWorks = currentIsRecord && current.accepted;
  const old = [current, previous].find((s) => s?.accepted && s.fingerprint !== record.stagedFingerprint);
  if (!fresh.accepted && !recordWorks && old) {
    return { situation: { kind: "staged-broken", staged: current, old }, record: { stored: record } };
  }
  const recordDead = currentIsRecord && !current.accepted;
  const previousDead = previous?.fingerprint === record.previousFingerprint && previous?.accepted === false;
  const situation = recordDead && previousDead ? undistributed(fresh, current, previous) : { kind: "distribute", staged: fresh };
  return { situation, record: { escrowed: fresh } };
}
function takeUp(facts, record) {
  const { current, previous, state } = facts;
  const activated = previous ? !previous.accepted : facts.previousEscrowGone === true;
  const held = state?.phase === "staged" && facts.escrowChecked === true && facts.escrowUpdatedAt === void 0 && current.accepted && current.fingerprint === record?.stagedFingerprint;
  if (!record || !held || !activated) return void 0;
  return gitHubShowsOver(facts) ? { situation: { kind: "idle" }, finished: record } : { situation: { kind: "activated-early", staged: current }, record: { stored: record } };
}
function undistributed(staged, current, previous) {
  return !current.accepted && staged.accepted && staged.fingerprint !== current.fingerprint && previous?.accepted !== true ? { kind: "activated-early", staged } : { kind: "distribute", staged };
}
function activeOf(situation, { current, previous }) {
  switch (situation.kind) {
    case "idle":
      return [current, previous].find((s) => s?.accepted);
    case "distribute":
      return current.accepted ? current : void 0;
    case "activated-early":
      return situation.staged;
    case "distributed":
      return situation.old?.accepted ? situation.old : situation.old && situation.staged;
    case "staged-broken":
      return situation.old;
  }
}
function describeSetupActions(actions) {
  return actions.map((a) => `${a.step}: ${a.does}`);
}
function planSetup({ situation, mode, due }) {
  switch (situation.kind) {
    case "idle":
      return startsWhenIdle(modeRules.setup[mode], due) ? [{ step: "remind", does: "ask for a staged secret to be generated in Setup and escrowed" }] : [];
    case "distribute":
      return [
        { step: "await-usable", does: "wait until the token endpoint accepts the staged secret" },
        {
          step: "publish",
          does: "seal and write it to every destination; keep the active one in the previous-secret escrow"
        },
        { step: "verify", does: "request a token with it" },
        { step: "remind", does: "ask for it to be activated in Setup" }
      ];
    case "activated-early":
      return [
        { step: "publish", does: "write the activated secret to every destination at once" },
        { step: "confirm", does: "delete the escrow secrets" }
      ];
    case "distributed":
      return [
        {
          step: "confirm",
          does: "if the previous secret is now rejected, delete the escrow secrets; else remind to activate"
        }
      ];
    case "staged-broken":
      return [
        { step: "restore", does: "put the previous secret back in every destination" },
        { step: "remind", does: "ask for a new staged secret" }
      ];
  }
}

// src/rotation/setup-flow.ts
var SECRET_LIFETIME_DAYS = 180;
var USABLE_AFTER_MS = 5 * 6e4;
var expiresFrom = (at) => new Date(at.getTime() + SECRET_LIFETIME_DAYS * DAY_MS);
var WAITING_FOR_ACTIVATION = "Distributed; waiting for activation in Setup.";
var SetupRotation = class extends Flow {
  current;
  escrowed;
  previous;
  async run() {
    const { ctx } = this;
    const reads = this.preflightReads();
    await ctx.load();
    const claimed = await ctx.step(
      "preflight",
      "check inputs, GitHub access and Marketing Cloud",
      () => this.preflight(reads)
    );
    const situation = await this.doubtClaims(claimed);
    const due = await this.describeAge(situation);
    const actions = planSetup({ situation, mode: this.cfg.mode, due });
    const plan = describeSetupActions(actions);
    this.result.plan = plan;
    if (this.rules.effect !== "act") {
      const next = plan.length > 0 ? `${this.rules.effect === "dry-run" ? "Would" : "Next"}: ${plan.join("; ")}.` : ctx.notDue();
      ctx.reportHeadline(next);
      return;
    }
    switch (situation.kind) {
      case "idle":
        if (actions.length > 0) await this.remind();
        else this.result.headline = ctx.notDue();
        return;
      case "distribute":
        return this.distribute(situation.staged);
      case "activated-early":
        return this.deliverAfterEarlyActivation(situation.staged);
      case "distributed":
        return this.confirmOrRemind(situation.staged, situation.old);
      case "staged-broken":
        return this.recoverBroken(situation.old);
    }
  }
  /**
   * Preflight's independent reads, sent together: the destinations' public
   * keys and the token endpoint's answer for each secret in hand (a secret
   * passed twice is asked once). Taken in this order by preflight.
   */
  preflightReads() {
    const { deps, cfg, ctx } = this;
    const check = (secret) => ctx.held(secret, { fresh: true });
    return settled({
      keys: this.rules.effect === "report" ? void 0 : deps.secrets.prepare([...cfg.destinations, cfg.escrow, cfg.previousEscrow]),
      current: check(cfg.clientSecret),
      escrowed: check(cfg.stagedClientSecret),
      previous: check(cfg.previousClientSecret)
    });
  }
  async preflight(pending) {
    const { deps, cfg, ctx } = this;
    const reads = await pending;
    resultOf(reads.keys);
    this.current = resultOf(reads.current);
    this.escrowed = resultOf(reads.escrowed);
    this.previous = resultOf(reads.previous);
    const working = [this.current, this.escrowed, this.previous].find((s) => s?.accepted);
    if (!working) {
      throw rejectedClientSecret(cfg, "no secret passed in is accepted");
    }
    deps.onWorkingSecret?.(working.secret);
    const stored = recordUnderWay(ctx.state);
    if (stored) this.result.stagedAt = new Date(stored.stagedAt);
    const { situation, record, finished } = assessSetup({
      current: this.current,
      escrowed: this.escrowed,
      previous: this.previous,
      state: ctx.state,
      ...stored && !this.escrowed ? await this.storedEvidence(stored) : {}
    });
    if (finished) {
      ctx.settle(finished, finished.stagedAt);
      ctx.oweIdle();
    }
    ctx.record = record && "escrowed" in record ? await this.recordEscrowed(record.escrowed) : record?.stored;
    return situation;
  }
  /**
   * What GitHub shows of a stored rotation no escrow was passed in for: the
   * escrow's `updated_at`, whether a previous escrow exists, and the
   * destinations not written since the staging.
   */
  async storedEvidence(stored) {
    const { deps, cfg, ctx } = this;
    const [escrowAt, previousGone, stale] = await Promise.all([
      deps.secrets.updatedAt(cfg.escrow).then((at) => ({ escrowChecked: true, escrowUpdatedAt: at })),
      this.previous ? void 0 : deps.secrets.updatedAt(cfg.previousEscrow).then((at) => at === void 0),
      ctx.writtenBefore(new Date(stored.stagedAt)).catch(() => void 0)
    ]);
    return { ...escrowAt, staleDestinations: stale, previousEscrowGone: previousGone };
  }
  /**
   * The escrow appeared, went, or was written since this job received its
   * inputs (less the skew): a person escrowed a secret another run may be
   * distributing, or a run confirmed.
   */
  async othersActed() {
    const at = await this.deps.secrets.updatedAt(this.cfg.escrow);
    if (at === void 0) return Boolean(this.cfg.stagedClientSecret);
    return !this.cfg.stagedClientSecret || at.getTime() >= this.ctx.startedAt - SKEW_MS;
  }
  /** The record of a staging a person escrowed that the state does not know: it starts when the escrow was written. */
  async recordEscrowed(escrowed) {
    const { deps, cfg, ctx } = this;
    const escrowedAt = await deps.secrets.updatedAt(cfg.escrow) ?? ctx.now();
    this.result.stagedAt = escrowedAt;
    return {
      stagedFingerprint: escrowed.fingerprint,
      // The secret active now, as far as this run can tell: the workflow's, or else the previous one in hand.
      previousFingerprint: [this.current, this.previous].find((s) => s?.accepted)?.fingerprint,
      stagedAt: escrowedAt.toISOString(),
      usableAt: escrowedAt.toISOString(),
      expiresAt: expiresFrom(escrowedAt).toISOString(),
      escrowId: cfg.escrow.id,
      publishedTo: [],
      stagedByRun: cfg.runId
    };
  }
  /**
   * The state's `published` is a hint: the staged secret is distributed only
   * if every destination was written after it was escrowed (GitHub's word).
   * Otherwise distribute it again, so the person is never told to activate a
   * secret the destinations do not hold.
   */
  async doubtClaims(situation) {
    if (situation.kind !== "distributed" && situation.kind !== "staged-broken") return situation;
    const { ctx, deps, cfg } = this;
    if (this.escrowed && this.escrowed.fingerprint !== ctx.rotation().stagedFingerprint) return situation;
    const escrowedAt = await deps.secrets.updatedAt(cfg.escrow);
    const recorded = new Date(ctx.rotation().stagedAt);
    const since = escrowedAt && escrowedAt > recorded ? escrowedAt : recorded;
    const stale = await ctx.writtenBefore(since);
    if (stale.length === 0) return situation;
    const mayBecomeUsable = ctx.now().getTime() < since.getTime() + USABLE_AFTER_MS;
    if (situation.kind === "staged-broken" && stale.length < cfg.destinations.length && !mayBecomeUsable)
      return situation;
    ctx.distrustDelivery(stale, "escrowed");
    return undistributed(situation.staged, this.current, this.previous);
  }
  /**
   * The active secret's age, the oldest of what the state recorded for it and
   * each destination's `updated_at` (read before this run writes any): this
   * run's own writes never make it look younger, and a stale or forged record
   * can make a reminder early, never late.
   */
  async describeAge(situation) {
    const { ctx } = this;
    const active = activeOf(situation, { current: this.current, previous: this.previous });
    const readings = [];
    const recorded = active && ctx.stateAgeOf(active.fingerprint);
    if (recorded) readings.push({ at: recorded, source: "state" });
    for (const at of (await ctx.destinationsWrittenAt()).values())
      if (at) readings.push({ at, source: "destination" });
    const oldest = oldestAge(readings);
    if (!oldest) {
      this.result.notes.push(
        "The active secret\u2019s age is unknown: the state records none for it and no destination has a secret."
      );
      return true;
    }
    return ctx.recordAge(oldest.at, oldest.source, expiresFrom(oldest.at), active?.fingerprint);
  }
  instructions() {
    const { cfg } = this;
    const escrow = cfg.escrow;
    return `In Marketing Cloud Setup open Installed Packages \u2192 the package with client id ${cfg.clientId} \u2192 API Integration \u2192 Staged Secret \u2192 Generate, copy the secret, and save it as the GitHub secret ${escrow.name} at ${escrow.id} (repository Settings \u2192 Secrets and variables \u2192 Actions, or \`gh secret set ${escrow.name}\`). The next run distributes it to every destination once Marketing Cloud accepts it (5 minutes after it was generated).`;
  }
  activateClicks() {
    return `In Setup open Installed Packages \u2192 the package with client id ${this.cfg.clientId} \u2192 API Integration \u2192 Staged Secret \u2192 Activate.`;
  }
  async remind() {
    const text = this.instructions();
    this.deps.log.notice(`A rotation of the Marketing Cloud secret is due. ${text}`);
    this.result.headline = "A rotation is due: a staged secret must be generated in Setup and escrowed.";
    this.result.notes.push(text);
    await this.reminderIssue(
      `Rotate the Marketing Cloud secret of client ${this.cfg.clientId}`,
      `The active secret of the installed package with client id ${this.cfg.clientId} is due for rotation (next rotation due ${this.result.nextRotationAt?.toISOString() ?? "now"}).

${text}`
    );
  }
  /** The run's headline, and a text for the person: a notice in the log and a note in the summary. */
  tell(headline, text) {
    this.deps.log.notice(text);
    this.result.headline = headline;
    this.result.notes.push(text);
  }
  async reminderIssue(title, body) {
    if (!this.cfg.reminderIssue || !this.deps.reminders) return;
    const issue = await this.deps.reminders.open(title, body);
    this.result.notes.push(`Reminder issue: #${issue.number} ${issue.url}`);
  }
  async distribute(staged) {
    const { ctx, deps, cfg } = this;
    if (!staged.accepted) {
      await ctx.step(
        "await-usable",
        "wait until the token endpoint accepts the staged secret",
        () => awaitUsable(staged.secret, new Date(ctx.rotation().usableAt), ctx.deadline, deps).catch(
          (error) => {
            throw new ActionError(
              "staged-client-secret",
              `The staged secret in ${cfg.escrow.id} is not accepted by the token endpoint. If it was generated less than 5 minutes ago, run again later. If another secret was generated since, save the newest one as ${cfg.escrow.name}. Nothing was overwritten. (${error.message})`
            );
          }
        )
      );
    }
    await ctx.afterWriteCheck(cfg.previousEscrow, () => ctx.save("staged"));
    await ctx.step("publish", "seal and write the staged secret to every destination", async () => {
      if (this.current.accepted && this.current.fingerprint !== staged.fingerprint) {
        const [kept] = await deps.secrets.publish([cfg.previousEscrow], this.current.secret);
        if (!kept?.ok)
          throw new ActionError(cfg.previousEscrow.id, kept?.error ?? "could not keep the previous secret");
      }
      try {
        await ctx.writeDestinations(staged.secret, "publish");
      } catch (error) {
        await ctx.save("staged");
        throw error;
      }
    });
    await ctx.step("verify", "request a token with the staged secret", async () => {
      const check = await deps.tokens.check(staged.secret, { fresh: true });
      if (!check.accepted) {
        throw new ActionError(
          "staged-client-secret",
          `The token endpoint stopped accepting the staged secret (${check.reason}) while it was distributed. Run again: the previous secret is put back.`
        );
      }
    });
    ctx.rotation().publishedAt = ctx.now().toISOString();
    await ctx.save("published");
    const text = `Every destination now holds the staged secret and Marketing Cloud accepts it. Now activate it: ${this.activateClicks()} The next run confirms the switch and deletes the escrow secrets.`;
    this.tell("Distributed: activate the staged secret in Setup; the next run confirms.", text);
    await this.reminderIssue(`Activate the Marketing Cloud secret of client ${cfg.clientId}`, text);
  }
  async deliverAfterEarlyActivation(staged) {
    const { ctx, cfg } = this;
    const stale = await ctx.writtenBefore(new Date(ctx.rotation().stagedAt)).catch(() => cfg.destinations.map((d) => d.id));
    this.deps.log.warning(
      `The staged secret was activated before every destination held it; these hold a rejected secret and are written now: ${stale.join(", ")}.`
    );
    this.result.notes.push(
      `Activated too early; destinations that held a rejected secret: ${stale.join(", ")}.`
    );
    await ctx.step(
      "publish",
      "write the activated secret to every destination at once",
      () => ctx.writeDestinations(staged.secret, "publish")
    );
    await this.confirm(staged, ctx.now(), true);
  }
  async confirmOrRemind(staged, old) {
    const { deps } = this;
    if (!old) {
      const text = `Waiting for the staged secret to be activated in Setup. This run cannot tell whether it was: pass the previous secret (${this.cfg.previousEscrow.name}) as \`previous-client-secret\`.`;
      this.tell(WAITING_FOR_ACTIVATION, text);
      return;
    }
    const oldCheck = await deps.tokens.check(old.secret, { fresh: true });
    if (oldCheck.accepted) {
      const text = `The previous secret is still accepted: the staged secret has not been activated yet. ${this.activateClicks()}`;
      this.tell(WAITING_FOR_ACTIVATION, text);
      await this.reminderIssue(`Activate the Marketing Cloud secret of client ${this.cfg.clientId}`, text);
      return;
    }
    this.result.notes.push(
      "The previous secret is now rejected by the token endpoint: the staged secret was activated."
    );
    await this.confirm(staged, this.ctx.now());
  }
  /**
   * Deletes the escrows once the new secret is accepted and this run wrote it
   * to every destination (`written`: just now, before this step), whatever
   * the state said was distributed.
   */
  async confirm(staged, activatedAt, written = false) {
    const { ctx, deps, cfg } = this;
    await ctx.step("confirm", "verify the new secret and delete the escrow secrets", async () => {
      const check = await deps.tokens.check(staged.secret, { fresh: true });
      if (!check.accepted) {
        throw new ActionError(
          "staged-client-secret",
          `The token endpoint rejects the new secret (${check.reason}).`
        );
      }
      if (!written) await ctx.writeDestinations(staged.secret, "publish");
      await deps.secrets.remove(cfg.escrow);
      await deps.secrets.remove(cfg.previousEscrow);
      const stagedAt = new Date(ctx.rotation().stagedAt);
      ctx.recordAge(stagedAt, "state", expiresFrom(stagedAt), staged.fingerprint);
      await ctx.saveCompleted(staged, activatedAt.toISOString());
      if (cfg.reminderIssue && deps.reminders) {
        const closed = await deps.reminders.close(`Rotation confirmed at ${activatedAt.toISOString()}.`);
        if (closed) this.result.notes.push(`Reminder issue #${closed.number} closed.`);
      }
    });
  }
  async recoverBroken(old) {
    const { ctx } = this;
    if (!old?.accepted) {
      throw new ActionError(
        "staged-client-secret",
        "The distributed staged secret is no longer accepted (another was generated in Setup, or it was revoked), and the previous secret is not in hand to put back. Generate a new staged secret in Setup, save it in the escrow, and run again."
      );
    }
    await ctx.step(
      "publish",
      "put the previous (still active) secret back in every destination",
      () => ctx.writeDestinations(old.secret, "restore")
    );
    ctx.record = void 0;
    await ctx.save("idle");
    throw new ActionError(
      "staged-client-secret",
      "The distributed staged secret stopped working before it was activated (another was generated in Setup, or it was revoked). The previous secret, still active, was put back in every destination. " + this.instructions()
    );
  }
};

// src/rotation/engine.ts
async function flushAfterFailure(ctx) {
  try {
    await ctx.flush();
  } catch (error) {
    ctx.result.notes.push(
      `The rotation state could not be saved after the failure (${errorMessage(error)}); the next run resumes from what Marketing Cloud and GitHub show.`
    );
  }
}
async function runEngine(deps) {
  const ctx = new RunContext(deps);
  try {
    let flow;
    if (deps.config.management === "setup") {
      flow = new SetupRotation(ctx);
    } else {
      if (!deps.management) throw new Error("engine: the management API flow needs a management client");
      flow = new ApiRotation(ctx, deps.management);
    }
    await flow.run();
    await ctx.saveOwedIdle(() => flow.othersActed());
    await ctx.flush();
    await ctx.refresh(() => flow.othersActed());
    return { result: ctx.result };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    ctx.result.headline = `Failed: ${err.message}`;
    await flushAfterFailure(ctx);
    return { result: ctx.result, error: err };
  }
}
export {
  runEngine
};
