import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  iso_exports
} from "./chunk-VANO5NEW.js";
import {
  _enum,
  array,
  literal,
  number,
  object,
  string
} from "./chunk-JOUJN4S6.js";

// src/rotation/state.ts
var STATE_SCHEMA_VERSION = 1;
var phases = ["idle", "staged", "published", "activated"];
var isoTime = iso_exports.datetime({ offset: true });
var fingerprint = string().regex(/^[0-9a-f]{16}$/);
var rotationSchema = object({
  /** Fingerprint of the staged (new) secret. */
  stagedFingerprint: fingerprint,
  /** Fingerprint of the secret that was active when staging began, when known. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  usableAt: isoTime,
  expiresAt: isoTime,
  escrowId: string(),
  /** Destination ids that hold the staged secret. */
  publishedTo: array(string()),
  publishedAt: isoTime.optional(),
  activatedAt: isoTime.optional(),
  stagedByRun: number().int()
});
var historySchema = object({
  fingerprint,
  /** The secret this rotation replaced, when known: a run queued before it finished still holds that one. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  activatedAt: isoTime,
  /** When the run that confirmed it saved it; absent when a later run found it finished (docs/DESIGN.md, "Saves"). */
  confirmedAt: isoTime.optional(),
  /** The run that confirmed it, or the run that staged it when a later run found it finished. */
  runId: number().int()
});
var activeSecretSchema = object({
  fingerprint,
  createdAt: isoTime
});
var stateSchema = object({
  schemaVersion: literal(STATE_SCHEMA_VERSION),
  clientId: string().min(1),
  phase: _enum(phases),
  updatedAt: isoTime,
  runId: number().int(),
  runAttempt: number().int(),
  rotation: rotationSchema.nullable(),
  lastActivatedAt: isoTime.nullable(),
  /** Optional so states saved before it existed still load; written by every save since. */
  activeSecret: activeSecretSchema.optional(),
  /** Newest last; bounded. */
  history: array(historySchema).max(50)
});
function parseState(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const result = stateSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      reason: result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")
    };
  }
  return { ok: true, state: result.data };
}

export {
  STATE_SCHEMA_VERSION,
  stateSchema,
  parseState
};
