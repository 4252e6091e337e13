import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  external_exports
} from "./chunk-QTXGKDSB.js";

// src/rotation/state.ts
var STATE_SCHEMA_VERSION = 1;
var phases = ["idle", "staged", "published", "activated"];
var isoTime = external_exports.iso.datetime({ offset: true });
var fingerprint = external_exports.string().regex(/^[0-9a-f]{16}$/);
var rotationSchema = external_exports.object({
  /** Fingerprint of the staged (new) secret. */
  stagedFingerprint: fingerprint,
  /** Fingerprint of the secret that was active when staging began, when known. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  usableAt: isoTime,
  expiresAt: isoTime,
  escrowId: external_exports.string(),
  /** Destination ids that hold the staged secret. */
  publishedTo: external_exports.array(external_exports.string()),
  publishedAt: isoTime.optional(),
  activatedAt: isoTime.optional(),
  stagedByRun: external_exports.number().int()
});
var historySchema = external_exports.object({
  fingerprint,
  /** The secret this rotation replaced, when known: a run queued before it finished still holds that one. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  activatedAt: isoTime,
  confirmedAt: isoTime,
  runId: external_exports.number().int()
});
var activeSecretSchema = external_exports.object({
  fingerprint,
  createdAt: isoTime
});
var stateSchema = external_exports.object({
  schemaVersion: external_exports.literal(STATE_SCHEMA_VERSION),
  clientId: external_exports.string().min(1),
  phase: external_exports.enum(phases),
  updatedAt: isoTime,
  runId: external_exports.number().int(),
  runAttempt: external_exports.number().int(),
  rotation: rotationSchema.nullable(),
  lastActivatedAt: isoTime.nullable(),
  /** Optional so states saved before it existed still load; written by every save since. */
  activeSecret: activeSecretSchema.optional(),
  /** Newest last; bounded. */
  history: external_exports.array(historySchema).max(50)
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
