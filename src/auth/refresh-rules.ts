/** The parts of a stored refresh token that the rotation decision reads. */
export interface StoredRefreshToken {
  revokedAt: Date | null;
  expiresAt: Date;
  rotatedAt: Date | null;
}

/**
 * What a presented refresh token earns: nothing (`reject`), a new pair on the same chain (`rotate`,
 * and `firstUse` when the token must be marked rotated now), or the end of its chain (`revoke-chain`).
 */
export type RefreshDecision = { kind: 'reject' } | { kind: 'rotate'; firstUse: boolean } | { kind: 'revoke-chain' };

/**
 * Rotation with a reuse window: a token already rotated at most `reuseWindowSeconds` ago still
 * rotates (the PWA refreshes in parallel with one token); a later reuse means it leaked.
 */
export function decideRefresh(
  token: StoredRefreshToken | undefined,
  now: Date,
  reuseWindowSeconds: number,
): RefreshDecision {
  if (!token || token.revokedAt || token.expiresAt <= now) return { kind: 'reject' };
  if (!token.rotatedAt) return { kind: 'rotate', firstUse: true };
  if (now.getTime() - token.rotatedAt.getTime() <= reuseWindowSeconds * 1000)
    return { kind: 'rotate', firstUse: false };
  return { kind: 'revoke-chain' };
}
