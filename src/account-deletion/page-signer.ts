import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring values for the deletion page: the CSRF token (bound to the browser's session
 * cookie) and the proof of a sign-in (bound to that session and the account's token generation).
 * The key is derived from AUTH_REFRESH_SECRET with HKDF, so it is configured or generated like it,
 * and a value signed for one purpose never verifies for another.
 */
export class PageSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'monta', 'account-deletion-page v1', 32));
  }

  /** A fresh opaque session id for the cookie. */
  static sessionId(): string {
    return randomBytes(24).toString('base64url');
  }

  sign(purpose: string, fields: string[], expiresAt: number): string {
    const payload = Buffer.from(JSON.stringify([purpose, ...fields, expiresAt])).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The fields after the purpose, or undefined when forged, for another purpose, or expired. */
  verify(purpose: string, token: string | undefined, now: number): string[] | undefined {
    if (!token || token.length > 1024) return undefined;
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || parsed[0] !== purpose) return undefined;
    const expiresAt = parsed.at(-1);
    if (typeof expiresAt !== 'number' || expiresAt <= now) return undefined;
    const fields = parsed.slice(1, -1);
    return fields.every((f) => typeof f === 'string') ? (fields as string[]) : undefined;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
