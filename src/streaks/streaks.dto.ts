import { PaletteResponse, toPaletteResponse } from '../catalogue/catalogue.dto.js';
import type { PaletteRow } from '../catalogue/catalogue.repository.js';
import { Int, Obj, type Static, Type, Uuid } from '../common/wire/response-schema.js';
import type { StreakRow } from './streaks.repository.js';

export const StreakResponse = Obj({
  study_streak_id: Int,
  longest_streak: Int,
  current_streak: Int,
  palette: Type.Optional(PaletteResponse),
  member: Type.Optional(Obj({ member_id: Uuid })),
});

/**
 * N13: no timestamps; `palette` absent (not null) without one; `member` only on the call that
 * created the row, as the original's.
 */
export function toStreakResponse(
  streak: StreakRow,
  current: number,
  palette: PaletteRow | null,
  createdFor?: string,
): Static<typeof StreakResponse> {
  return {
    study_streak_id: streak.studyStreakId,
    longest_streak: streak.longestStreak,
    current_streak: current,
    ...(palette ? { palette: toPaletteResponse(palette) } : {}),
    ...(createdFor ? { member: { member_id: createdFor } } : {}),
  };
}
