// The state document kept in a workflow artifact between runs. It holds no
// secret: phases, times, run ids, destinations done and fingerprints.
import * as z from 'zod';

export const STATE_SCHEMA_VERSION = 1;

const phases = ['idle', 'staged', 'published', 'activated'] as const;
export type Phase = (typeof phases)[number];

const isoTime = z.iso.datetime({ offset: true });
const fingerprint = z.string().regex(/^[0-9a-f]{16}$/);

const rotationSchema = z.object({
  /** Fingerprint of the staged (new) secret. */
  stagedFingerprint: fingerprint,
  /** Fingerprint of the secret that was active when staging began, when known. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  usableAt: isoTime,
  expiresAt: isoTime,
  escrowId: z.string(),
  /** Destination ids that hold the staged secret. */
  publishedTo: z.array(z.string()),
  publishedAt: isoTime.optional(),
  activatedAt: isoTime.optional(),
  stagedByRun: z.number().int(),
});

const historySchema = z.object({
  fingerprint,
  /** The secret this rotation replaced, when known: a run queued before it finished still holds that one. */
  previousFingerprint: fingerprint.optional(),
  stagedAt: isoTime,
  activatedAt: isoTime,
  /** When the run that confirmed it saved it; absent when a later run found it finished (docs/DESIGN.md, "Saves"). */
  confirmedAt: isoTime.optional(),
  /** The run that confirmed it, or the run that staged it when a later run found it finished. */
  runId: z.number().int(),
});

/** The secret Marketing Cloud had active when the state was saved, and when it was generated (as best known). */
const activeSecretSchema = z.object({
  fingerprint,
  createdAt: isoTime,
});

export const stateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  clientId: z.string().min(1),
  phase: z.enum(phases),
  updatedAt: isoTime,
  runId: z.number().int(),
  runAttempt: z.number().int(),
  rotation: rotationSchema.nullable(),
  lastActivatedAt: isoTime.nullable(),
  /** Optional so states saved before it existed still load; written by every save since. */
  activeSecret: activeSecretSchema.optional(),
  /** Newest last; bounded. */
  history: z.array(historySchema).max(50),
});

export type RotationState = z.infer<typeof stateSchema>;
export type RotationRecord = z.infer<typeof rotationSchema>;
export type HistoryEntry = z.infer<typeof historySchema>;
export type ActiveSecret = z.infer<typeof activeSecretSchema>;

/** Parses untrusted JSON text into a state, or says why it is not one. */
export function parseState(text: string): { ok: true; state: RotationState } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = stateSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      reason: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, state: result.data };
}
