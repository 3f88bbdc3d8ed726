import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { dialectOf } from './dialect.js';
import { field, is, isWellFormedText, optional, validate } from './validation.js';

const shape = {
  email: {
    checks: [is.notEmpty(), is.email()],
    read: (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  },
  password: field<string>(is.notEmpty(), is.minLength(6)),
  nickname: optional<string>(is.notEmpty(), is.string()),
};

function messages(input: unknown): string[] {
  try {
    validate(shape, input);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    return (error as ApiError).messages as string[];
  }
  throw new Error('expected a validation error');
}

describe('validate', () => {
  it('lists unknown properties first, then fields in order, every failing check', () => {
    expect(messages({ zzz: 1, email: 'nope', password: '', aaa: 2 })).toEqual([
      'property zzz should not exist',
      'property aaa should not exist',
      'email must be an email',
      'password should not be empty',
      'password must be longer than or equal to 6 characters',
    ]);
  });

  it('treats a missing body as an empty object', () => {
    expect(messages(undefined)).toEqual([
      'email should not be empty',
      'email must be an email',
      'password should not be empty',
      'password must be longer than or equal to 6 characters',
    ]);
  });

  it('refuses a body that is not an object', () => {
    expect(messages([1, 2])).toEqual(['request body must be a JSON object']);
    expect(messages('text')).toEqual(['request body must be a JSON object']);
  });

  it('lets undefined and null through optional fields, checks present ones', () => {
    expect(validate(shape, { email: 'a@b.co', password: 'secret', nickname: null })).toEqual({
      email: 'a@b.co',
      password: 'secret',
      nickname: null,
    });
    expect(messages({ email: 'a@b.co', password: 'secret', nickname: 5 })).toEqual(['nickname must be a string']);
  });

  it('reads (normalizes) before checking and returns the value read', () => {
    expect(validate(shape, { email: '  USER@Test.COM ', password: 'secret' }).email).toBe('user@test.com');
  });

  it('rejects __proto__ as an unknown property instead of merging it', () => {
    const input = JSON.parse('{"email":"a@b.co","password":"secret","__proto__":{"admin":true}}');
    expect(messages(input)).toEqual(['property __proto__ should not exist']);
  });

  it('number checks refuse numeric strings (no implicit conversion)', () => {
    const s = { n: field<number>(is.number()) };
    expect(() => validate(s, { n: '2' })).toThrow(ApiError);
    expect(validate(s, { n: 2 })).toEqual({ n: 2 });
  });
});

describe('text fields', () => {
  const named = {
    name: field<string>(is.notEmpty(), is.notBlank(), is.string(), is.maxLength(3)),
    note: optional<string>(is.string()),
  };
  const refused = (input: unknown): string[] => {
    try {
      validate(named, input);
    } catch (error) {
      return (error as ApiError).messages as string[];
    }
    throw new Error('expected a validation error');
  };

  it.each([' ', '   ', '\t\n', '\u00a0\u3000', '\ufeff'])('notBlank refuses whitespace-only %j', (name) => {
    expect(refused({ name })).toEqual(['name should not be blank']);
  });

  it('notBlank leaves the empty string to notEmpty and non-strings to string', () => {
    expect(refused({ name: '' })).toEqual(['name should not be empty']);
    expect(refused({ name: 5 })).toEqual([
      'name must be a string',
      'name must be shorter than or equal to 3 characters',
    ]);
    expect(refused({ name: '    ' })).toEqual([
      'name should not be blank',
      'name must be shorter than or equal to 3 characters',
    ]);
  });

  it('keeps surrounding whitespace of a valid value (nothing is trimmed)', () => {
    expect(validate(named, { name: ' a ' })).toEqual({ name: ' a ' });
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'a\udfff'],
    ['a reversed pair', '\udc00\ud800'],
    ['a high surrogate before a letter', '\udbffx'],
  ])('refuses %s in every string field', (_, text) => {
    expect(refused({ name: text.slice(0, 2), note: text })).toEqual([
      'name must not contain unpaired surrogates',
      'note must not contain unpaired surrogates',
    ]);
  });

  it('accepts surrogate pairs (astral characters), counting each as one character', () => {
    expect(validate(named, { name: '😀😀😀', note: '𝄞' })).toEqual({ name: '😀😀😀', note: '𝄞' });
  });

  it('checks the normalized e-mail as well, after its own checks', () => {
    expect(messages({ email: ' \ud800@test.com ', password: 'secret' })).toEqual([
      'email must not contain unpaired surrogates',
    ]);
  });

  it('reports a lone surrogate after the null-character refusal of the same field', () => {
    expect(refused({ name: '\u0000\ud800' })).toEqual([
      'name must not contain null characters',
      'name must not contain unpaired surrogates',
    ]);
  });

  it("answers with the field's own text where it lists is.storable; once only with firstFailure", () => {
    const own = {
      name: field<string>(
        is.maxLength(9),
        is.storable((f) => `${f} is unusable`),
      ),
    };
    const refusedBy = (options: { firstFailure?: boolean }) => {
      try {
        validate(own, { name: '\u0000\ud800' }, options);
      } catch (error) {
        return (error as ApiError).messages;
      }
      throw new Error('expected a validation error');
    };
    expect(refusedBy({ firstFailure: true })).toEqual(['name is unusable']);
    expect(refusedBy({})).toEqual([
      'name is unusable',
      'name must not contain null characters',
      'name must not contain unpaired surrogates',
    ]);
  });

  it('isWellFormedText', () => {
    expect(isWellFormedText('plain 한글 😀')).toBe(true);
    expect(isWellFormedText('\ud83d')).toBe(false);
    expect(isWellFormedText(JSON.parse('"\\ude00"') as string)).toBe(false);
  });
});

describe('dialectOf', () => {
  it.each([
    ['/timer-api/members/me', 'nest'],
    ['/v2/shop/purchase', 'spring'],
    ['/admin/palettes?x=1', 'spring'],
    ['/characters?grade=C', 'spring'],
    ['/characters', 'spring'],
    ['/charactersx', 'nest'],
    ['/health/live', 'nest'],
  ])('%s → %s', (url, dialect) => expect(dialectOf(url)).toBe(dialect));
});
