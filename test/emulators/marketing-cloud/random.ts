// Random strings for generated secrets, client ids, account ids and tokens.
// A seed swaps node:crypto's randomBytes for a SHA-256 counter stream so a
// test can replay the same values.
import { createHash, randomBytes } from 'node:crypto';

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const DIGITS = '0123456789';

export type RandomString = (length: number, alphabet?: string) => string;

function seededBytes(seed: number): (n: number) => Buffer {
  let block = 0;
  return (n) => {
    const chunks: Buffer[] = [];
    for (let total = 0; total < n; total += 32) {
      chunks.push(createHash('sha256').update(`${seed}:${block++}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, n);
  };
}

export function randomStrings(seed?: number): RandomString {
  const bytes = seed === undefined ? randomBytes : seededBytes(seed);
  return (length, alphabet = ALPHANUMERIC) => {
    // Rejection sampling keeps every character equally likely.
    const limit = 256 - (256 % alphabet.length);
    let out = '';
    while (out.length < length) {
      for (const b of bytes(length)) {
        if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
      }
    }
    return out;
  };
}
