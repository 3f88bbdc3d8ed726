import { Int, LocalDate, Nullable, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import { check, is, optional } from '../common/wire/validation.js';
import { type Period, PERIODS } from './periods.js';

export const SCOPES = ['all', 'group'] as const;
export type Scope = (typeof SCOPES)[number];
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 50;
/** Deeper than any real ranking; keeps OFFSET a small integer. */
export const MAX_OFFSET = 1_000_000;

const oneOf = (values: readonly string[]) =>
  check(
    (v) => typeof v === 'string' && values.includes(v),
    (f) => `${f} must be one of the following values: ${values.join(', ')}`,
    { type: 'string', enum: [...values] },
  );
const integer = check(
  (v) => typeof v === 'string' && /^\d{1,7}$/.test(v),
  (f) => `${f} must be an integer number`,
  { type: 'integer' },
);
// Reported only for integers, so a non-number reads once ("must be an integer number").
const atLeast = (n: number) =>
  check(
    (v) => typeof v !== 'string' || !/^\d{1,7}$/.test(v) || Number(v) >= n,
    (f) => `${f} must not be less than ${n}`,
    { minimum: n },
  );
const atMost = (n: number) =>
  check(
    (v) => typeof v !== 'string' || !/^\d{1,7}$/.test(v) || Number(v) <= n,
    (f) => `${f} must not be greater than ${n}`,
    { maximum: n },
  );

/** The query of GET /rankings; unknown keys are refused (a new route, no original to mirror). */
export const RankingsQuery = {
  period: optional<Period>(oneOf(PERIODS)),
  date: optional<string>(is.date()),
  timezone: optional<string>(is.timeZone()),
  scope: optional<Scope>(oneOf(SCOPES)),
  limit: optional<string>(integer, atLeast(1), atMost(MAX_LIMIT)),
  offset: optional<string>(integer, atLeast(0), atMost(MAX_OFFSET)),
};

export interface RankedMember {
  rank: number;
  memberId: string;
  nickname: string;
  imageUrl: string | null;
  seconds: number;
  isStudying: boolean;
}

export interface Ranking {
  period: Period;
  start: string;
  end: string;
  timezone: string;
  total: number;
  ranking: RankedMember[];
  me: { rank: number; seconds: number } | null;
}

export const RankingResponse = Obj({
  period: Type.Union(PERIODS.map((p) => Type.Literal(p))),
  start: LocalDate,
  end: LocalDate,
  timezone: Type.String(),
  total: Int,
  ranking: Type.Array(
    Obj({
      rank: Int,
      member_id: Uuid,
      nickname: Type.String(),
      image_url: Nullable(Type.String()),
      seconds: Int,
      is_studying: Type.Boolean(),
    }),
  ),
  me: Nullable(Obj({ rank: Int, seconds: Int })),
});

/** The wire shape of a ranking (issue 13), keys in the documented order. */
export function toRankingResponse(r: Ranking): Static<typeof RankingResponse> {
  return {
    period: r.period,
    start: r.start,
    end: r.end,
    timezone: r.timezone,
    total: r.total,
    ranking: r.ranking.map((m) => ({
      rank: m.rank,
      member_id: m.memberId,
      nickname: m.nickname,
      image_url: m.imageUrl,
      seconds: m.seconds,
      is_studying: m.isStudying,
    })),
    me: r.me && { rank: r.me.rank, seconds: r.me.seconds },
  };
}
