// Validation against the management contract the repository publishes
// (docs/management-api.openapi.yaml), as the GitHub emulator is validated
// against GitHub's description: the emulator's replies and the client's
// requests are checked against the same document.
import { readFileSync } from 'node:fs';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const CONTRACT_PATH = new URL('../../../docs/management-api.openapi.yaml', import.meta.url);

interface Content {
  content?: Record<string, { schema?: object }>;
}

interface Response extends Content {
  headers?: Record<string, { schema?: object; required?: boolean }>;
}

interface Operation {
  operationId: string;
  requestBody?: Content & { required?: boolean };
  responses: Record<string, Response>;
}

interface Document {
  paths: Record<string, Record<string, unknown>>;
}

interface IndexedOperation {
  method: string;
  regex: RegExp;
  operation: Operation;
}

/** The document with every local `$ref` replaced by its target (the contract has no cycles). */
function dereference(node: unknown, root: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => dereference(item, root));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], root);
    if (target === undefined) throw new Error(`contract: unresolved $ref ${ref}`);
    return dereference(target, root);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, dereference(v, root)]));
}

let index: IndexedOperation[] | undefined;

function operations(): IndexedOperation[] {
  if (index) return index;
  const raw: unknown = parse(readFileSync(CONTRACT_PATH, 'utf8'));
  const doc = dereference(raw, raw) as Document;
  index = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)');
    for (const method of ['get', 'post']) {
      const operation = item[method] as Operation | undefined;
      if (operation)
        index.push({ method: method.toUpperCase(), regex: new RegExp(`^${source}$`), operation });
    }
  }
  return index;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
const compiled = new Map<object, ValidateFunction>();

function check(where: string, schema: object, value: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${where}${e.instancePath} ${e.message ?? 'is invalid'}`,
  );
}

/** The contract's operation for a request, e.g. `status`; undefined when the contract has none. */
export function contractOperation(method: string, pathname: string): Operation | undefined {
  return operations().find((op) => op.method === method && op.regex.test(pathname))?.operation;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export interface ContractRequest {
  method: string;
  pathname: string;
  headers: Headers;
  body: string;
}

/** Why a request breaks the contract; empty when it keeps it. */
export function requestErrors(request: ContractRequest): string[] {
  const operation = contractOperation(request.method, request.pathname);
  if (!operation) return [`${request.method} ${request.pathname} is not an operation of the contract`];
  const errors: string[] = [];
  if (!/^Bearer \S+$/.test(request.headers.get('authorization') ?? ''))
    errors.push('authorization: a Bearer token is required');
  const body = operation.requestBody;
  const schema = body?.content?.['application/json']?.schema;
  if (request.body === '') {
    if (body?.required) errors.push('body is required');
    return errors;
  }
  if (!schema) return [...errors, 'the operation takes no body'];
  if (!/^application\/json\b/.test(request.headers.get('content-type') ?? ''))
    errors.push('content-type: application/json is required');
  const parsed = parseJson(request.body);
  if (!parsed.ok) return [...errors, 'body is not JSON'];
  return [...errors, ...check('body', schema, parsed.value)];
}

export interface ContractResponse {
  method: string;
  pathname: string;
  status: number;
  headers: Record<string, string>;
  /** The JSON body as sent, or the parsed value. */
  body?: unknown;
}

/** Why a reply breaks the contract; empty when it keeps it. */
export function responseErrors(reply: ContractResponse): string[] {
  const operation = contractOperation(reply.method, reply.pathname);
  if (!operation) return [`${reply.method} ${reply.pathname} is not an operation of the contract`];
  const documented = operation.responses[String(reply.status)];
  if (!documented) return [`status ${reply.status} is not a reply of ${operation.operationId}`];
  const errors: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = Object.entries(reply.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    if (value === undefined) {
      if (header.required) errors.push(`header ${name} is required`);
    } else if (header.schema) {
      errors.push(...check(`header ${name}`, header.schema, value));
    }
  }
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return errors;
  if (reply.body === undefined) return [...errors, 'a JSON body is required'];
  let body: unknown = reply.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const parsed = parseJson(body.toString());
    if (!parsed.ok) return [...errors, 'body is not JSON'];
    body = parsed.value;
  }
  return [...errors, ...check('body', schema, body), ...throttleErrors(reply, body)];
}

/**
 * What the document says in words about 429s: the window (10029) and
 * Salesforce's rate limit 50100 carry Retry-After; 50200 does not.
 */
function throttleErrors(reply: ContractResponse, body: unknown): string[] {
  if (reply.status !== 429) return [];
  const code = (body as { errorcode?: unknown }).errorcode;
  const retryAfter = Object.keys(reply.headers).some((k) => k.toLowerCase() === 'retry-after');
  if (code === 50200 && retryAfter) return ['errorcode 50200 carries no Retry-After'];
  if (code !== 50200 && !retryAfter) return [`errorcode ${String(code)} needs Retry-After`];
  return [];
}
