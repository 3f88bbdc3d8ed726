import type { PaletteRow, StreakRow } from './streaks.repository.js';

/**
 * N13: no timestamps; `palette` absent (not null) without one; `member` only on the call that
 * created the row, as the original's.
 */
export function toStreakResponse(streak: StreakRow, current: number, palette: PaletteRow | null, createdFor?: string) {
  return {
    study_streak_id: streak.studyStreakId,
    longest_streak: streak.longestStreak,
    current_streak: current,
    ...(palette ? { palette: toPaletteResponse(palette) } : {}),
    ...(createdFor ? { member: { member_id: createdFor } } : {}),
  };
}

export function toPaletteResponse(p: PaletteRow) {
  return {
    palette_id: p.paletteId,
    name: p.name,
    grade: p.grade,
    light_color: p.lightColor,
    normal_color: p.normalColor,
    dark_color: p.darkColor,
    darker_color: p.darkerColor,
  };
}
