import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * Response schemas, written beside their `toXResponse` mappers. A mapper's return type is
 * `Static<typeof Schema>`, so a field added to one and not the other fails the type check; the
 * OpenAPI test then checks real answers against the same schemas.
 */
export { type Static, type TSchema, Type };

/** An object that lists every field it may send (`additionalProperties: false`: no column leaks unseen). */
export const Obj = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });
export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
/** A timestamp the JSON encoder writes as ISO 8601 in UTC with milliseconds (Nest dialect, as the original encoded dates). */
export const Instant = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
/** Spring's `LocalDateTime`: ISO local date-time in UTC without an offset (see `springDateTime`). */
export const LocalDateTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$' });
/** A bigint id, a decimal string in the Nest dialect (JavaScript numbers lose precision past 2^53). */
export const DecimalId = Type.String({ pattern: '^\\d+$' });
export const Uuid = Type.String({ format: 'uuid' });
export const Int = Type.Integer();
export const LocalDate = Type.String({ format: 'date' });
