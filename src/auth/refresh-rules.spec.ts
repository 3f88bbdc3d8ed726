import { describe, expect, it } from 'vitest';
import { decideRefresh, type StoredRefreshToken } from './refresh-rules.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const WINDOW = 60;

function token(patch: Partial<StoredRefreshToken> = {}): StoredRefreshToken {
  return { revokedAt: null, expiresAt: new Date(NOW.getTime() + 86_400_000), rotatedAt: null, ...patch };
}

function secondsBefore(seconds: number): Date {
  return new Date(NOW.getTime() - seconds * 1000);
}

describe('decideRefresh', () => {
  it('rejects a token that is not stored', () => {
    expect(decideRefresh(undefined, NOW, WINDOW)).toEqual({ kind: 'reject' });
  });

  it('rejects a revoked token, even one inside the reuse window', () => {
    expect(decideRefresh(token({ revokedAt: secondsBefore(1) }), NOW, WINDOW)).toEqual({ kind: 'reject' });
    expect(decideRefresh(token({ revokedAt: secondsBefore(1), rotatedAt: secondsBefore(1) }), NOW, WINDOW)).toEqual({
      kind: 'reject',
    });
  });

  it('rejects a token that expires now or expired before', () => {
    expect(decideRefresh(token({ expiresAt: NOW }), NOW, WINDOW)).toEqual({ kind: 'reject' });
    expect(decideRefresh(token({ expiresAt: secondsBefore(1) }), NOW, WINDOW)).toEqual({ kind: 'reject' });
  });

  it('rotates a token one millisecond before it expires', () => {
    const expiresAt = new Date(NOW.getTime() + 1);
    expect(decideRefresh(token({ expiresAt }), NOW, WINDOW)).toEqual({ kind: 'rotate', firstUse: true });
  });

  it('rotates a token used for the first time and asks to mark it rotated', () => {
    expect(decideRefresh(token(), NOW, WINDOW)).toEqual({ kind: 'rotate', firstUse: true });
  });

  it('rotates a first use even with no reuse window at all', () => {
    expect(decideRefresh(token(), NOW, 0)).toEqual({ kind: 'rotate', firstUse: true });
  });

  it('rotates again a token reused inside the window, up to its last millisecond', () => {
    expect(decideRefresh(token({ rotatedAt: secondsBefore(1) }), NOW, WINDOW)).toEqual({
      kind: 'rotate',
      firstUse: false,
    });
    expect(decideRefresh(token({ rotatedAt: secondsBefore(WINDOW) }), NOW, WINDOW)).toEqual({
      kind: 'rotate',
      firstUse: false,
    });
  });

  it('revokes the chain of a token reused after the window', () => {
    const justAfter = new Date(NOW.getTime() - WINDOW * 1000 - 1);
    expect(decideRefresh(token({ rotatedAt: justAfter }), NOW, WINDOW)).toEqual({ kind: 'revoke-chain' });
    expect(decideRefresh(token({ rotatedAt: secondsBefore(3600) }), NOW, WINDOW)).toEqual({ kind: 'revoke-chain' });
  });

  it('revokes the chain of any reuse when the window is zero, except one in the same millisecond', () => {
    expect(decideRefresh(token({ rotatedAt: new Date(NOW.getTime() - 1) }), NOW, 0)).toEqual({ kind: 'revoke-chain' });
    expect(decideRefresh(token({ rotatedAt: NOW }), NOW, 0)).toEqual({ kind: 'rotate', firstUse: false });
  });
});
