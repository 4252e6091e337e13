// Identifies a secret without revealing it: a truncated SHA-256 of a
// domain-separated string that binds the client id, so equal secrets of two
// packages do not share a fingerprint and the state can be public.
import { createHash } from 'node:crypto';

export function fingerprint(clientId: string, secret: string): string {
  return createHash('sha256')
    .update(`sfmc-secret-rotation/v1\0${clientId}\0${secret}`, 'utf8')
    .digest('hex')
    .slice(0, 16);
}
