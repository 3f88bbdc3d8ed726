import { randomBytes } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../config/config.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/wire/api-error.js';
import { TokenService } from './token.service.js';

class FixedClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now() {
    return this.at;
  }
}

// No secret is fixed anywhere: each run signs with its own.
const config = loadConfig({
  AUTH_JWT_TOKEN_EXPIRES_IN: '15m',
  AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
  AUTH_REFRESH_SECRET: randomBytes(32).toString('hex'),
}) as Config;
const claims = {
  sub: '5559d24d-4f07-4a96-9dcc-57eff05bdab0',
  email: 'a@b.co',
  role: { role_id: 2, name: 'User' },
  gen: 3,
};
const accessKey = () => new TextEncoder().encode(config.AUTH_JWT_SECRET);

describe('TokenService', () => {
  it('expires_in is below exp × 1000 by a small margin, even at a fractional second', async () => {
    const clock = new FixedClock(new Date('2026-11-25T10:00:00.999Z'));
    const tokens = new TokenService(config, clock);
    const { token, expiresIn } = await tokens.signAccess(claims);
    const { exp, iat } = decodeJwt(token);
    expect(exp! - iat!).toBe(900);
    expect(expiresIn).toBe(exp! * 1000 - 5000);
    expect(expiresIn).toBeGreaterThan(clock.at.getTime());
  });

  it('verifies its own access token, and refuses it once expired', async () => {
    const clock = new FixedClock(new Date('2026-11-25T10:00:00Z'));
    const tokens = new TokenService(config, clock);
    const { token } = await tokens.signAccess(claims);
    expect(await tokens.verifyAccess(token)).toEqual(claims);
    clock.at = new Date('2026-11-25T10:15:01Z');
    await expect(tokens.verifyAccess(token)).rejects.toBeInstanceOf(ApiError);
  });

  it('refuses a refresh token as an access token and the reverse', async () => {
    const tokens = new TokenService(config, new FixedClock(new Date()));
    const { token: access } = await tokens.signAccess(claims);
    const refresh = await tokens.signRefresh({ sub: claims.sub, jti: 'j' }, new Date(Date.now() + 60_000));
    await expect(tokens.verifyRefresh(access)).rejects.toMatchObject({ status: 401 });
    await expect(tokens.verifyAccess(refresh)).rejects.toMatchObject({ status: 401 });
    expect(await tokens.verifyRefresh(refresh)).toEqual({ sub: claims.sub, jti: 'j' });
  });

  it('pins HS256: the same secret under HS512 is refused', async () => {
    const tokens = new TokenService(config, new FixedClock(new Date()));
    const forged = await new SignJWT({ email: null, role: { role_id: 1 } })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(accessKey());
    await expect(tokens.verifyAccess(forged)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a token without exp, even signed with the right secret', async () => {
    const tokens = new TokenService(config, new FixedClock(new Date()));
    const signed = (withExp: boolean) => {
      const jwt = new SignJWT({ email: null, role: { role_id: 1 } })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuedAt();
      return (withExp ? jwt.setExpirationTime('1h') : jwt).sign(accessKey());
    };
    expect(await tokens.verifyAccess(await signed(true))).toMatchObject({ sub: claims.sub, gen: 0 });
    await expect(tokens.verifyAccess(await signed(false))).rejects.toMatchObject({ status: 401 });
    const refreshNoExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setJti('j')
      .sign(new TextEncoder().encode(config.AUTH_REFRESH_SECRET));
    await expect(tokens.verifyRefresh(refreshNoExp)).rejects.toMatchObject({ status: 401 });
  });

  it('carries the token generation as gen; a token without one is generation 0; a malformed one is refused', async () => {
    const tokens = new TokenService(config, new FixedClock(new Date()));
    const { token } = await tokens.signAccess(claims);
    expect(decodeJwt(token).gen).toBe(3);
    const odd = await new SignJWT({ email: null, role: { role_id: 2 }, gen: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(accessKey());
    await expect(tokens.verifyAccess(odd)).rejects.toMatchObject({ status: 401 });
  });

  it.each([undefined, '', 'garbage', 'a.b.c'])('refuses %s', async (token) => {
    const tokens = new TokenService(config, new FixedClock(new Date()));
    await expect(tokens.verifyAccess(token)).rejects.toMatchObject({ status: 401 });
  });

  it('a verified token is remembered only until its exp, and a changed signature is never taken for it', async () => {
    const clock = new FixedClock(new Date('2026-12-02T10:00:00.000Z'));
    const tokens = new TokenService(config, clock);
    const { token } = await tokens.signAccess(claims);
    const exp = decodeJwt(token).exp!;
    expect(await tokens.verifyAccess(token)).toMatchObject({ sub: claims.sub, gen: 3 });
    const flipped = token.at(-5) === 'A' ? 'B' : 'A'; // inside the signature, not its last (padding) bits
    const tampered = token.slice(0, -5) + flipped + token.slice(-4);
    await expect(tokens.verifyAccess(tampered)).rejects.toMatchObject({ status: 401 });
    clock.at = new Date(exp * 1000 - 1);
    expect(await tokens.verifyAccess(token)).toMatchObject({ sub: claims.sub }); // from the cache
    clock.at = new Date(exp * 1000); // jose's rule: expired once exp <= now in whole seconds
    await expect(tokens.verifyAccess(token)).rejects.toMatchObject({ status: 401 });
  });
});
