/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses it) fragments written by the validation vocabulary, so
 * the API document says what the checks accept. Plain objects: they go into the document as they are.
 */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  description?: string;
  examples?: unknown[];
  [keyword: string]: unknown;
}

const TIGHTEST: Record<string, (a: number, b: number) => number> = {
  minLength: Math.max,
  minimum: Math.max,
  maxLength: Math.min,
  maximum: Math.min,
};

/**
 * One schema that accepts what every fragment accepts: bounds keep the tightest, `integer` narrows
 * `number`; any other keyword given twice with different values stays as its own `allOf` member.
 */
export function mergeSchemas(fragments: readonly JsonSchema[]): JsonSchema {
  const merged: JsonSchema = {};
  const rest: JsonSchema[] = [];
  for (const fragment of fragments) {
    for (const [key, value] of Object.entries(fragment)) {
      const before = merged[key];
      if (before === undefined) merged[key] = value;
      else if (key in TIGHTEST) merged[key] = TIGHTEST[key]!(before as number, value as number);
      else if (key === 'type' && [before, value].includes('integer') && [before, value].includes('number'))
        merged.type = 'integer';
      else if (JSON.stringify(before) !== JSON.stringify(value)) rest.push({ [key]: value });
    }
  }
  return rest.length ? { ...merged, allOf: [...(merged.allOf ?? []), ...rest] } : merged;
}

/** The schema, also accepting `null`. */
export function nullable(schema: JsonSchema): JsonSchema {
  if (schema.enum && !schema.enum.includes(null)) return nullable({ ...schema, enum: [...schema.enum, null] });
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type))
    return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  if (Object.keys(schema).length === 0) return schema;
  if (schema.anyOf && Object.keys(schema).length === 1)
    return schema.anyOf.some((member) => member.type === 'null')
      ? schema
      : { anyOf: [...schema.anyOf, { type: 'null' }] };
  return { anyOf: [schema, { type: 'null' }] };
}
