import { describe, expect, it } from 'vitest';
import { PageSigner } from './page-signer.js';

describe('PageSigner', () => {
  const signer = new PageSigner('x'.repeat(48));

  it('verifies its own values for the same purpose until they expire', () => {
    const token = signer.sign('csrf', ['session-1'], 2_000);
    expect(signer.verify('csrf', token, 1_000)).toEqual(['session-1']);
    expect(signer.verify('csrf', token, 2_000)).toBeUndefined();
    expect(signer.verify('proof', token, 1_000)).toBeUndefined();
  });

  it('refuses a changed payload, a changed mac, and another key', () => {
    const token = signer.sign('proof', ['account', 'session', '0'], 5_000);
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify(['proof', 'other', 'session', '0', 5_000])).toString('base64url');
    expect(signer.verify('proof', `${forged}.${mac}`, 1)).toBeUndefined();
    expect(signer.verify('proof', `${payload}.${mac.slice(0, -2)}AA`, 1)).toBeUndefined();
    expect(new PageSigner('y'.repeat(48)).verify('proof', token, 1)).toBeUndefined();
    expect(signer.verify('proof', undefined, 1)).toBeUndefined();
    expect(signer.verify('proof', 'garbage', 1)).toBeUndefined();
  });
});
