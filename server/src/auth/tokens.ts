import { createSigner, createVerifier } from 'fast-jwt';
import { AppError } from '../platform/errors.js';

export interface AccessClaims {
  sub: string;
  kind: 'student' | 'staff';
  lid: string;
  name: string;
  classId?: string | null;
  perms?: string[];
  sa?: boolean;
}

/** Short-lived HS256 access tokens: verified without any I/O on the hot path. */
export function createTokenService(secret: string, ttlSeconds: number) {
  const sign = createSigner({
    key: secret,
    algorithm: 'HS256',
    expiresIn: ttlSeconds * 1000,
    iss: 'examhall',
  });
  const verify = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    allowedIss: 'examhall',
    cache: 10_000,
  });
  return {
    ttlSeconds,
    signAccess(claims: AccessClaims): string {
      return sign({ ...claims });
    },
    verifyAccess(token: string): AccessClaims {
      try {
        return verify(token) as AccessClaims;
      } catch {
        throw new AppError(
          'UNAUTHENTICATED',
          'Your sign-in has expired or is not valid; sign in again',
        );
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
