// GitHub's description is OpenAPI 3.0, whose `nullable: true` ajv reads
// differently: it refuses it beside `oneOf`/`anyOf` without a `type` (issue
// `milestone`, `type`), and it still applies an `enum` that lists no null
// (issue `state_reason`). Both are rewritten to mean what OpenAPI means.

export function nullableAsJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableAsJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const converted = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, nullableAsJsonSchema(value)]),
  ) as Record<string, unknown>;
  if (converted.nullable !== true) return converted;
  if (Array.isArray(converted.enum) && !converted.enum.includes(null)) {
    converted.enum = [...converted.enum, null];
  }
  if ('type' in converted) return converted;
  const { nullable: _, ...rest } = converted;
  return { anyOf: [rest, { type: 'null' }] };
}
