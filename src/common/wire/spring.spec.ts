import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { readSpring, says, spring, springBodySchema } from './spring.js';
import { is, partial } from './validation.js';

// Spring bodies in the shared vocabulary: Jackson's reading first, then each field's first failure.
const shape = {
  itemName: {
    ...spring.text,
    key: 'item_name',
    optional: false,
    checks: [is.notNull(says('name is required')), is.maxLength(3, says('name is too long')), is.storable(says('bad'))],
  },
  cost: { ...spring.integer, checks: [is.min(0, says('cost below 0')), is.max(9, says('cost above 9'))] },
  count: spring.int,
};

function refusal(body: unknown): ApiError {
  try {
    readSpring(shape, body);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('readSpring', () => {
  it('reads every field as Jackson does, by its JSON key, ignoring unknown ones', () => {
    expect(readSpring(shape, { item_name: 12, cost: '4', count: 2.9, other: {} })).toEqual({
      itemName: '12',
      cost: 4,
      count: 2,
    });
    expect(readSpring(shape, { item_name: 'abc' })).toEqual({ itemName: 'abc', cost: null, count: 0 });
  });

  it('reports only the first failing check of each field, fields in order, in both dialects', () => {
    const error = refusal({ item_name: 'long\u0000', cost: -1 });
    expect(error.code).toBe('FIELD_CHECKS');
    expect(error.messages).toEqual(['itemName : name is too long', 'cost : cost below 0']);
    expect(error.springMessages).toEqual(error.messages);
    expect(refusal({ item_name: 'a\u0000', cost: 10 }).messages).toEqual(['itemName : bad', 'cost : cost above 9']);
  });

  it('takes blank text as absent, so the required message is the only one', () => {
    expect(refusal({ item_name: ' \t', cost: 1 }).messages).toEqual(['itemName : name is required']);
  });

  it('fails on an unreadable value before any check, with the generic 400', () => {
    const error = refusal({ item_name: '', cost: -1, count: 'many' });
    expect(error.code).toBe('BAD_BODY');
    expect(refusal([shape]).code).toBe('BAD_BODY');
  });

  it('lets every field of a partial shape be absent, and still checks what is given', () => {
    expect(readSpring(partial(shape), {})).toEqual({ itemName: null, cost: null, count: 0 });
    expect(() => readSpring(partial(shape), { item_name: 'long' })).toThrow(ApiError);
  });
});

describe('springBodySchema', () => {
  it('documents the JSON keys, the checks and what Jackson accepts; only refused absences are required', () => {
    const schema = springBodySchema(shape);
    expect(schema.required).toEqual(['item_name']);
    expect(schema.additionalProperties).toBeUndefined();
    expect(schema.properties).toEqual({
      item_name: { type: 'string', maxLength: 3 },
      cost: { type: ['integer', 'null'], minimum: 0, maximum: 9 },
      count: { type: ['integer', 'null'], minimum: -2147483648, maximum: 2147483647 },
    });
    expect(springBodySchema(partial(shape)).required).toBeUndefined();
    expect(springBodySchema(partial(shape)).properties!.item_name).toEqual({ type: ['string', 'null'], maxLength: 3 });
  });
});
