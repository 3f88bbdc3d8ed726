import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { PasswordService } from './password.service.js';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  it('hashes with Argon2id at the OWASP parameters and verifies', async () => {
    const stored = await passwords.hash('correct horse');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await passwords.verify(stored, 'correct horse')).toBe(true);
    expect(await passwords.verify(stored, 'wrong horse')).toBe(false);
    expect(passwords.needsUpgrade(stored)).toBe(false);
  });

  it('verifies legacy bcrypt hashes and flags them for upgrade', async () => {
    const legacy = await bcrypt.hash('qwer1234', 10);
    expect(await passwords.verify(legacy, 'qwer1234')).toBe(true);
    expect(await passwords.verify(legacy, 'qwer12345')).toBe(false);
    expect(passwords.needsUpgrade(legacy)).toBe(true);
  });

  it('refuses unknown or malformed hashes without throwing', async () => {
    expect(await passwords.verify('plaintext', 'plaintext')).toBe(false);
    expect(await passwords.verify('$argon2id$broken', 'x')).toBe(false);
  });
});
