// A refusal of the management service (a non-2xx answer that is not worth
// retrying) as the error the run reports: it names the input at fault and
// what to do. Server text is quoted only once scrubbed of the secrets in hand.
import type { Credential } from '../config.ts';
import { MarketingCloudError } from '../errors.ts';
import { quotable } from '../redact.ts';
import { parseRetryAfter } from '../retry.ts';
import { NothingStagedError } from '../rotation/ports.ts';
import { parseJson, type Reply } from './http.ts';
import {
  CONTRACT,
  describeForeign,
  type Envelope,
  envelopeSchema,
  notContract,
  UNKNOWN_CLIENT,
} from './management-contract.ts';

export const ADMIN_INPUTS =
  'admin-client-id and admin-client-secret (or client-id and client-secret when those are not set)';

export interface Refused {
  reply: Reply;
  /** What the call does, for messages: "stage a new secret". */
  action: string;
  url: string;
  /** management-url, without a trailing slash. */
  baseUrl: string;
  /** The package being rotated. */
  clientId: string;
  /** The credential whose token was refused or turned away. */
  admin: Credential;
  /** Secrets no quoted server text may show (staged ones seen, the admin secret). */
  secrets: readonly string[];
  now: () => number;
}

/** The error for a 425: when the staged secret can be activated, from the envelope or Retry-After. */
function notUsableYet(refused: Refused, envelope: Envelope, detail: string): MarketingCloudError {
  const { reply, now } = refused;
  const afterMs = parseRetryAfter(reply.headers.get('retry-after'), now());
  const usableAt =
    envelope.usableAt ?? (afterMs === undefined ? undefined : new Date(now() + afterMs).toISOString());
  return new MarketingCloudError(
    'client-id',
    `The staged secret of client id ${refused.clientId} is not usable yet (${detail})` +
      `${usableAt ? `; it can be activated from ${usableAt}` : ''}. Wait, then activate again.`,
    reply.status,
  );
}

/** The error for a refusal in the contract's envelope, by status. */
function byStatus(refused: Refused, envelope: Envelope, detail: string): MarketingCloudError {
  const { reply, admin, clientId, url, action } = refused;
  const fail = (subject: string, text: string) => new MarketingCloudError(subject, text, reply.status);
  switch (reply.status) {
    case 401:
      return fail(
        'admin-client-secret',
        `The management service rejected the admin token even after a fresh one was issued (${detail}). ` +
          `Check ${ADMIN_INPUTS}, and that management-url serves this tenant.`,
      );
    case 403:
      return fail(
        'admin-client-id',
        `The management service does not let package ${admin.clientId} ${action} (${detail}). ` +
          'The service at management-url decides which packages may manage secrets: allow this package there, ' +
          'or set admin-client-id and admin-client-secret to a package it allows.',
      );
    case 404:
      return fail(
        'client-id',
        `Client id ${clientId} was not found by the management service (${detail} from ${url}). Check client-id.`,
      );
    case 409:
      // The contract's 409 is activation with nothing staged; the engine learns it as a domain error.
      return new NothingStagedError(
        'client-id',
        `There is no staged secret to activate for client id ${clientId} (${detail}). Stage a new secret first.`,
        reply.status,
      );
    case 425:
      return notUsableYet(refused, envelope, detail);
    default:
      return fail(
        'management-url',
        `The management service refused to ${action} (${detail} from ${url}). ` +
          `Check management-url: it must be a service that implements ${CONTRACT}.`,
      );
  }
}

export function refusal(refused: Refused): MarketingCloudError {
  const { reply, baseUrl } = refused;
  const parsed = envelopeSchema.safeParse(parseJson(reply.text));
  if (!parsed.success) return notContract(baseUrl, refused, reply, describeForeign(reply));
  const envelope = parsed.data;
  if (reply.status === 404 && envelope.errorcode !== UNKNOWN_CLIENT) {
    const what = `errorcode ${envelope.errorcode}, not the contract's ${UNKNOWN_CLIENT}`;
    return notContract(baseUrl, refused, reply, what);
  }
  const message = quotable(envelope.message, refused.secrets);
  const detail = `${reply.status} errorcode ${envelope.errorcode}${message ? `: ${message}` : ''}`;
  return byStatus(refused, envelope, detail);
}
