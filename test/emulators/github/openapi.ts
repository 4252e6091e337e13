// Validation against GitHub's own OpenAPI description (@octokit/openapi). The
// 70 MB description is parsed once per process, on first use; validators are
// compiled per operation when first needed and cached.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Reply } from '../common/server.ts';
import { nullableAsJsonSchema } from './openapi-nullable.ts';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: object;
}

interface Content {
  content?: Record<string, { schema?: object }>;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: Content & { required?: boolean };
  responses?: Record<string, Content>;
}

interface IndexedOperation {
  id: string;
  method: string;
  regex: RegExp;
  names: string[];
  /** Segments without a parameter; the most literal template wins (`public-key` over `{secret_name}`). */
  literals: number;
  operation: Operation;
}

export interface MatchedOperation {
  id: string;
  operation: Operation;
  params: Record<string, string>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head'];
// Formats GitHub uses that ajv-formats does not define; any string passes.
const GITHUB_FORMATS = ['timestamp', 'repo.nwo'];

let index: IndexedOperation[] | undefined;

function operations(): IndexedOperation[] {
  if (index) return index;
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.deref.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, unknown> & { parameters?: Parameter[] }>;
  };
  index = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const segments = template.split('/');
    const source = segments
      .map((segment) =>
        segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name?: string) => {
          if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/]+)';
        }),
      )
      .join('/');
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      index.push({
        id: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        regex: new RegExp(`^${source}$`),
        names,
        literals: segments.filter((s) => !s.includes('{')).length,
        // Path-level parameters apply to every operation of the path.
        operation: {
          ...operation,
          parameters: [...(item.parameters ?? []), ...(operation.parameters ?? [])],
        },
      });
    }
  }
  return index;
}

/** The operation a request path belongs to, with its path parameters decoded. */
export function findOperation(method: string, pathname: string): MatchedOperation | undefined {
  let best: { op: IndexedOperation; match: RegExpExecArray } | undefined;
  for (const op of operations()) {
    if (op.method !== method) continue;
    const match = op.regex.exec(pathname);
    if (match && (!best || op.literals > best.op.literals)) best = { op, match };
  }
  if (!best) return undefined;
  const { op, match } = best;
  const params = Object.fromEntries(
    op.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
  );
  return { id: op.id, operation: op.operation, params };
}

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats(ajv);
  for (const format of GITHUB_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

// Parameters arrive as strings, so that instance coerces; bodies must match exactly.
const ajvFor = { params: newAjv(true), bodies: newAjv(false) };
const compiled = new Map<string, ValidateFunction>();

function validator(key: string, kind: keyof typeof ajvFor, schema: () => object): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajvFor[kind].compile(nullableAsJsonSchema(schema()) as object);
    compiled.set(key, validate);
  }
  return validate;
}

function describe(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? 'is invalid'}`);
}

function parametersSchema(operation: Operation, location: 'path' | 'query'): object {
  const own = (operation.parameters ?? []).filter((p) => p.in === location);
  return {
    type: 'object',
    properties: Object.fromEntries(own.map((p) => [p.name, p.schema ?? {}])),
    required: own.filter((p) => p.required).map((p) => p.name),
  };
}

const jsonSchema = (content: Content | undefined): object | undefined =>
  content?.content?.['application/json']?.schema;

/** Why the request does not conform to its operation; empty when it does. */
export function requestErrors(op: MatchedOperation, query: URLSearchParams, rawBody: Buffer): string[] {
  const errors: string[] = [];
  for (const location of ['path', 'query'] as const) {
    const values = location === 'path' ? { ...op.params } : Object.fromEntries(query);
    const validate = validator(`${op.id} ${location}`, 'params', () =>
      parametersSchema(op.operation, location),
    );
    if (!validate(values)) errors.push(...describe(location, validate.errors));
  }
  const body = op.operation.requestBody;
  const schema = jsonSchema(body);
  if (schema === undefined) return errors;
  if (rawBody.length === 0) {
    if (body?.required) errors.push('body is required');
    return errors;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return [...errors, 'body is not valid JSON'];
  }
  const validate = validator(`${op.id} body`, 'bodies', () => schema);
  if (!validate(parsed)) errors.push(...describe('body', validate.errors));
  return errors;
}

/** Why the reply does not conform to what the operation documents; empty when it does. */
export function responseErrors(op: MatchedOperation, reply: Reply): string[] {
  const responses = op.operation.responses ?? {};
  const status = String(reply.status);
  const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  // GitHub documents its error statuses sparsely; only success and redirects must be listed.
  if (!documented) return reply.status < 400 ? [`status ${status} is not documented`] : [];
  const schema = jsonSchema(documented);
  const empty =
    reply.body === undefined ||
    ((typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) && reply.body.length === 0);
  if (schema === undefined) {
    const other = documented.content && Object.keys(documented.content).length > 0;
    return other || empty ? [] : [`status ${status} documents no body but one was sent`];
  }
  if (empty) return [`status ${status} requires a JSON body`];
  let body = reply.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString());
    } catch {
      return [`status ${status} body is not JSON`];
    }
  }
  const validate = validator(`${op.id} ${status}`, 'bodies', () => schema);
  return validate(body) ? [] : describe('body', validate.errors);
}
