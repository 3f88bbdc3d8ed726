import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import {
  BAD_ACCESS,
  type BadToken,
  badAuthorizations,
  expectError,
  type Expected,
  forbidden,
  notFound,
  send,
  unauthenticated,
  validation,
} from './support/bad-input.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';

// The bad-input table over N20–N22, the statistic/heat-map alias and study records X3:
// every row gets its exact status and envelope, never a 500. Authentication comes first, then the
// owner guard, then the query, as the original's guards ran; unknown query keys add no message.

const DATE = (field: string) => `${field} must be a valid date (YYYY-MM-DD)`;
const NUL = (field: string) => `${field} must not contain null characters`;
const TZ = 'timezone must be an IANA time zone such as Asia/Seoul';
const YEAR = 'year must be an integer from 1 to 9999';
const MONTH = 'month must be an integer from 1 to 12';
const BEFORE = 'end must not be before start';
const RANGE = 'the range must not exceed 366 days';
const MEMBER_MISSING = '멤버가 존재하지 않습니다.';

/** Whose path and token a row uses: the caller's own member by default. */
type Who =
  | 'self'
  | 'other member' // a live member that is not the caller's
  | 'no member' // an account that never created its member, asking for another member's id
  | { bad: BadToken }
  | { memberId: (self: string) => string };

interface QueryRow {
  name: string;
  /** The raw query string, without `?`. */
  query: string;
  expected: Expected;
  who?: Who;
}

interface Route {
  path: string;
  /** A query the route accepts, which a row extends or breaks. */
  valid: string;
  /** The rows of the route's own parameters. */
  rows: QueryRow[];
}

const row = (name: string, query: string, expected: Expected, who?: Who): QueryRow => ({ name, query, expected, who });

// Not a real `YYYY-MM-DD` day; each gives the field's one message.
const BAD_DATES: [string, string][] = [
  ['not a date', 'abc'],
  ['29 February of a common year', '2023-02-29'],
  ['month 13', '2024-13-01'],
  ['month 00', '2024-00-10'],
  ['30 February', '2024-02-30'],
  ['day 00', '2024-02-00'],
  ['31 April', '2024-04-31'],
  ['year 0000', '0000-01-01'],
  ['five-digit year', '10000-01-01'],
  ['no zero padding', '2024-1-1'],
  ['with a time', '2024-02-08T00:00'],
  ['without dashes', '20240208'],
  ['with slashes', '2024/02/08'],
  ['a leading space', '%202024-02-08'],
  ['a trailing space', '2024-02-08%20'],
  ['an empty value', ''],
  ['full-width digits', encodeURIComponent('２０２４-02-08')],
];

/** Rows of one date parameter `field`; `rest` completes a query the route would otherwise accept. */
const dateRows = (field: string, rest: string): QueryRow[] => {
  const q = (value: string) => [`${field}=${value}`, rest].filter(Boolean).join('&');
  return [
    ...BAD_DATES.map(([what, value]) => row(`${field}: ${what} (${value})`, q(value), validation(DATE(field)))),
    row(`${field} given twice`, `${q('2024-02-08')}&${field}=2024-02-09`, validation(DATE(field))),
    row(`${field} with a NUL character`, q('2024-02-08%00'), validation(DATE(field), NUL(field))),
    row(
      `${field} bad beside unknown keys (no "should not exist")`,
      `foo=1&${q('abc')}&zeta=2`,
      validation(DATE(field)),
    ),
  ];
};

// Zones neither ICU nor the validator knows; each gives the one timezone message.
const BAD_ZONES: [string, string][] = [
  ['an unknown zone', 'Mars/Base'],
  ['an empty value', ''],
  ['a trailing space', 'Asia/Seoul%20'],
  ['a trailing slash', 'Asia/Seoul/'],
  ['an ISO offset', '%2B09:00'],
  ['a GMT offset', 'GMT%2B9'],
  ['a bare Z', 'Z'],
  ['the abbreviation KST', 'KST'],
  ['a path', '..%2F..%2Fetc%2Fpasswd'],
  ['65 characters', 'A'.repeat(65)],
];

const zoneRows = (valid: string): QueryRow[] => [
  ...BAD_ZONES.map(([what, value]) =>
    row(`timezone: ${what} (${value})`, `${valid}&timezone=${value}`, validation(TZ)),
  ),
  row('timezone given twice', `${valid}&timezone=UTC&timezone=UTC`, validation(TZ)),
  row('timezone with a NUL character', `${valid}&timezone=Asia/Seoul%00`, validation(TZ, NUL('timezone'))),
  row('a bad timezone without the other parameters', 'timezone=Mars/Base', validation(TZ)),
];

const monthlyRows = (): QueryRow[] => {
  const month: [string, string][] = [
    ['0', '0'],
    ['13', '13'],
    ['00', '00'],
    ['x', 'x'],
    ['1.5', '1.5'],
    ['-1', '-1'],
    ['+1', '%2B1'],
    [' 2', '%202'],
    ['1e1', '1e1'],
    ['0x1', '0x1'],
    ['empty', ''],
  ];
  const year: [string, string][] = [
    ['abcd', 'abcd'],
    ['0', '0'],
    ['10000', '10000'],
    ['-2024', '-2024'],
    ['2024.0', '2024.0'],
    ['full-width digits', encodeURIComponent('２０２４')],
    ['empty', ''],
  ];
  return [
    ...month.map(([what, v]) => row(`month ${what}`, `year=2024&month=${v}`, validation(MONTH))),
    ...year.map(([what, v]) => row(`year ${what}`, `year=${v}&month=2`, validation(YEAR))),
    row('month given twice', 'year=2024&month=2&month=3', validation(MONTH)),
    row('month with a NUL character', 'year=2024&month=2%00', validation(MONTH, NUL('month'))),
    row('year and month both bad, in that order', 'month=13&year=abcd', validation(YEAR, MONTH)),
    row('year, month and timezone all bad', 'timezone=Mars/Base&month=0&year=0', validation(YEAR, MONTH, TZ)),
    row('a bad month without a year', 'month=13', validation(MONTH)),
    row('a bad year without a month', 'year=abcd', validation(YEAR)),
    row('a bad month beside unknown keys', 'foo=1&year=2024&month=x', validation(MONTH)),
  ];
};

const heatMapRows = (): QueryRow[] => [
  ...dateRows('start', 'end=2024-02-29'),
  ...dateRows('end', 'start=2024-02-01'),
  row('start and end both bad, in that order', 'end=2024-1-1&start=abc', validation(DATE('start'), DATE('end'))),
  row('a bad start without an end', 'start=abc', validation(DATE('start'))),
  row('a bad end without a start', 'end=abc', validation(DATE('end'))),
  row('start one day after end', 'start=2024-02-09&end=2024-02-08', validation(BEFORE)),
  row('start a year after end', 'start=2025-02-08&end=2024-02-08', validation(BEFORE)),
  row('end 367 days after start (2023-01-01 … 2024-01-03)', 'start=2023-01-01&end=2024-01-03', validation(RANGE)),
  row('end 367 days after start across a leap day', 'start=2024-01-01&end=2025-01-02', validation(RANGE)),
  row('25 years', 'start=2000-01-01&end=2024-12-31', validation(RANGE)),
  row(
    'start after end with a bad timezone: the timezone first',
    'start=2024-03-01&end=2024-02-01&timezone=x',
    validation(TZ),
  ),
  row('a bad start with a bad timezone', 'start=abc&end=2024-02-29&timezone=x', validation(DATE('start'), TZ)),
];

const ROUTES: Route[] = [
  { path: 'statistics', valid: 'date=2024-02-08', rows: dateRows('date', '') },
  { path: 'statistics/monthly', valid: 'year=2024&month=2', rows: monthlyRows() },
  { path: 'statistics/heat-map', valid: 'start=2024-02-01&end=2024-02-29', rows: heatMapRows() },
  { path: 'statistic/heat-map', valid: 'start=2024-02-01&end=2024-02-29', rows: heatMapRows() },
  { path: 'study-records', valid: 'date=2024-02-08', rows: dateRows('date', '') },
];

/** Who may not ask, with a query that is also invalid: the guards answer before validation. */
const accessRows = (valid: string): QueryRow[] => {
  const invalid = 'date=abc&month=13&start=abc&end=abc&timezone=Mars/Base';
  return [
    ...BAD_ACCESS.map((bad) => row(`${bad} with an invalid query → 401`, invalid, unauthenticated, { bad })),
    row("another member's id → 403", valid, forbidden, 'other member'),
    row("another member's id with an invalid query → 403", invalid, forbidden, 'other member'),
    row('a member id that is not a uuid → 403', valid, forbidden, { memberId: () => 'abc' }),
    row('the own member id in upper case → 403', valid, forbidden, { memberId: (self) => self.toUpperCase() }),
    row('the nil uuid → 403', valid, forbidden, { memberId: () => '00000000-0000-0000-0000-000000000000' }),
    row('an account without a member → 404', valid, notFound(MEMBER_MISSING), 'no member'),
    row('an account without a member, with an invalid query → 404', invalid, notFound(MEMBER_MISSING), 'no member'),
  ];
};

const app = useApp();
const { api } = app;
let self: Awaited<ReturnType<typeof registerAndLogin>>;
let other: Awaited<ReturnType<typeof registerAndLogin>>;
let memberless: string;
let bad: Record<BadToken, string | undefined>;

beforeAll(async () => {
  self = await registerAndLogin(api);
  other = await registerAndLogin(api);
  // Registered but never called /members/me, so the account has no member yet.
  const registered = await api.post('/timer-api/auth/email/register', {
    json: { email: uniqueEmail('nomember'), password: 'qwer1234' },
  });
  expect(registered.status).toBe(200);
  memberless = registered.body.data.access_token;
  const admin = await login(api, 'admin@test.com');
  bad = await badAuthorizations(app.handle.config.AUTH_JWT_SECRET, admin.account.account_id, self);
});

/** The path and Authorization header of a row. */
function target(who: Who = 'self'): { memberId: string; authorization: string | undefined } {
  const own = `Bearer ${self.accessToken}`;
  if (who === 'self') return { memberId: self.memberId, authorization: own };
  if (who === 'other member') return { memberId: other.memberId, authorization: own };
  if (who === 'no member') return { memberId: other.memberId, authorization: `Bearer ${memberless}` };
  if ('bad' in who) return { memberId: self.memberId, authorization: bad[who.bad] };
  return { memberId: who.memberId(self.memberId), authorization: own };
}

describe.each(ROUTES)('GET /timer-api/members/:member_id/$path', (route) => {
  const rows = [...route.rows, ...zoneRows(route.valid), ...accessRows(route.valid)];

  it.each(rows)('$name', async ({ query, expected, who }) => {
    const { memberId, authorization } = target(who);
    const path = `/timer-api/members/${memberId}/${route.path}?${query}`;
    expectError(await send(api, 'GET', path, {}, authorization), expected);
  });

  it('accepts its valid query, with and without a timezone (the rows above break only what they name)', async () => {
    for (const query of [route.valid, `${route.valid}&timezone=America/Los_Angeles`, `${route.valid}&foo=1`]) {
      const r = await api.get(`/timer-api/members/${self.memberId}/${route.path}?${query}`, {
        token: self.accessToken,
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('success');
    }
  });
});

describe('heat-map range limits', () => {
  it.each([
    ['366 days', '2023-01-01', '2024-01-01'],
    ['366 days of a leap year', '2024-01-01', '2024-12-31'],
    // The PWA's streak page: a year back from today, both ends included, across a 29 February.
    ["the PWA's last year across a leap day (367 days)", '2027-06-01', '2028-06-01'],
    ['end 366 days after start (2023-01-01 … 2024-01-02)', '2023-01-01', '2024-01-02'],
    ['one day', '2024-02-29', '2024-02-29'],
  ])('%s is fine on both paths', async (_what, start, end) => {
    for (const path of ['statistics/heat-map', 'statistic/heat-map']) {
      const r = await api.get(`/timer-api/members/${self.memberId}/${path}?start=${start}&end=${end}`, {
        token: self.accessToken,
      });
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { status: 'success', data: [] } });
    }
  });
});
