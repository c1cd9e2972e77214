/**
 * Operator tokens: `lgsp-op.<name>.<secret>`, shown once when an operator is created or rotated.
 * The registry keeps only the SHA-256 of the whole token (the bootstrap admin's is the hash of
 * LGSP_ADMIN_TOKEN, whatever its form), plus the previous hash for the overlap after a rotation.
 * Checks compare hashes in constant time; an unknown name costs the same work as a wrong secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../http/route.ts';

export const OPERATOR_TOKEN_PREFIX = 'lgsp-op.';

/** An operator's record in the registry (`operator/<name>`); never holds a token. */
export interface OperatorRecord {
  readonly name: string;
  readonly role: Role;
  readonly tokenSha256: string;
  /** The token before the last rotation, accepted until `until` (ISO time). */
  readonly previous?: { readonly tokenSha256: string; readonly until: string };
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The operator who created it, or `LGSP_ADMIN_TOKEN` for the bootstrap admin. */
  readonly createdBy: string;
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token for operator `name`, and the hash the registry keeps. */
export function issueOperatorToken(name: string): { token: string; tokenSha256: string } {
  const token = `${OPERATOR_TOKEN_PREFIX}${name}.${randomBytes(32).toString('base64url')}`;
  return { token, tokenSha256: tokenSha256(token) };
}

/** The operator a token names by its form (`lgsp-op.<name>.…`), checked or not: for lookups and the audit of refusals. */
export function claimedOperator(token: string): string | undefined {
  if (!token.startsWith(OPERATOR_TOKEN_PREFIX)) return undefined;
  const name = token.slice(OPERATOR_TOKEN_PREFIX.length, token.indexOf('.', OPERATOR_TOKEN_PREFIX.length));
  return name || undefined;
}

/**
 * The record among `candidates` whose current token, or previous token still within its overlap
 * at `now`, is `token`. Every hash of every candidate is compared, in constant time.
 */
export function matchToken(token: string, candidates: readonly OperatorRecord[], now: number): OperatorRecord | undefined {
  const presented = Buffer.from(tokenSha256(token), 'hex');
  let found: OperatorRecord | undefined;
  // No candidate (an unknown name): one comparison all the same, with a hash no token has.
  for (const record of candidates.length > 0 ? candidates : [NO_ONE]) {
    const current = sameHash(presented, record.tokenSha256);
    const previous = record.previous ? sameHash(presented, record.previous.tokenSha256) && Date.parse(record.previous.until) > now : false;
    if ((current || previous) && !found && record !== NO_ONE) found = record;
  }
  return found;
}

const NO_ONE: OperatorRecord = { name: '', role: 'viewer', tokenSha256: '0'.repeat(64), createdAt: '', updatedAt: '', createdBy: '' };

function sameHash(presented: Buffer, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  return expected.length === presented.length && timingSafeEqual(presented, expected);
}
