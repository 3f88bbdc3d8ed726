import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** The server's only source of randomness and ids; tests swap it for a seeded one. */
export abstract class Random {
  abstract uuid(): string;
  /** `length` lowercase hex characters. */
  abstract hex(length: number): string;
  /** An integer in [0, max). */
  abstract int(max: number): number;
}

export class CryptoRandom extends Random {
  uuid(): string {
    return randomUUID();
  }
  hex(length: number): string {
    return randomBytes(Math.ceil(length / 2))
      .toString('hex')
      .slice(0, length);
  }
  int(max: number): number {
    return randomInt(max);
  }
}
