// What the secret management contract v1 (docs/management-api.openapi.yaml)
// promises, as schemas, and the error for an answer that is not the
// contract's: management-url then points at something else (a tenant's own
// host serves no such API), and the run says so with the two ways forward.
import * as z from 'zod';
import { MarketingCloudError } from '../errors.ts';
import { parseJson, type Reply } from './http.ts';

const time = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const statusSchema = z.object({
  clientId: z.string(),
  active: z.object({ createdAt: time, expiresAt: time }),
  staged: z.object({ createdAt: time, usableAt: time, expiresAt: time, description: z.string() }).nullable(),
  lastGeneratedAt: time.nullable(),
  lastActivatedAt: time.nullable(),
});

export const stagedSchema = z.object({
  clientSecret: z.string().min(1),
  createdAt: time,
  usableAt: time,
  expiresAt: time,
});

export const activatedSchema = z.object({ activatedAt: time, expiresAt: time });

/** Marketing Cloud's REST error envelope, as the contract requires it; `usableAt` is read when a 425 carries it. */
export const envelopeSchema = z.object({
  message: z.string(),
  errorcode: z.number().int(),
  usableAt: z.iso.datetime({ offset: true }).optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** The contract's errorcode for "no such client id"; any other 404 comes from something else. */
export const UNKNOWN_CLIENT = 10004;

export const CONTRACT = 'docs/management-api.openapi.yaml';
export const TWO_CHOICES =
  `Either use \`management: setup\` (a person clicks Generate and Activate in Setup; works on every tenant), ` +
  `or point management-url at a service that implements ${CONTRACT}.`;

/** What a reply that is not the contract is; JSON of another shape is described by `otherJson`. */
export function describeForeign(reply: Reply, otherJson = "JSON that is not the contract's"): string {
  const type = reply.headers.get('content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(reply.text)) return 'an HTML page';
  if (reply.text.trim() === '') return 'an empty body';
  if (parseJson(reply.text) === undefined) return 'a body that is not JSON';
  return otherJson;
}

/** The run cannot go on: management-url answers, but not as the contract says. */
export function notContract(
  baseUrl: string,
  call: { action: string },
  reply: Reply,
  what: string,
): MarketingCloudError {
  return new MarketingCloudError(
    'management-url',
    `management-url ${baseUrl} does not serve the management contract: asked to ${call.action}, it answered ` +
      `${reply.status} with ${what}. ${TWO_CHOICES}`,
    reply.status,
  );
}
