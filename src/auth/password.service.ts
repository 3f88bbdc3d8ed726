import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Every password hash of the service (seeds and the admin CLI included) is made here. */
export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`;

/** Argon2id for every new hash; legacy bcrypt hashes still verify and are flagged for upgrade. */
@Injectable()
export class PasswordService {
  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  async verify(stored: string, password: string): Promise<boolean> {
    if (stored.startsWith('$2')) return bcrypt.compare(password, stored);
    if (stored.startsWith('$argon2')) {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    }
    return false;
  }

  needsUpgrade(stored: string): boolean {
    return !stored.startsWith(CURRENT_PREFIX);
  }
}
