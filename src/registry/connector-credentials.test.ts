import { describe, expect, it } from 'vitest';
import { issueCredential, rotateCredential, verifyToken, type ConnectorCredential } from './connector-credentials.ts';

const ID = 'qn-stp-eoffice';
const AGENCY = '000.00.15.H49';
const NOW = Date.parse('2025-07-01T08:00:00Z');

const lookupOf = (credential: ConnectorCredential) => (id: string) => (id === ID ? { id, agency: AGENCY, credential } : undefined);

describe('connector tokens', () => {
  it('accepts the current token only, for its own connector id', () => {
    const { token, credential } = issueCredential(ID);
    expect(verifyToken(token, lookupOf(credential))).toEqual({ id: ID, agency: AGENCY });
    expect(verifyToken(`${token}x`, lookupOf(credential))).toBeUndefined();
    expect(verifyToken(token.replace(ID, 'qn-other'), lookupOf(credential))).toBeUndefined();
    expect(verifyToken('no-dot-at-all', lookupOf(credential))).toBeUndefined();
  });

  it('keeps the replaced token working until the end of the overlap, and signs with the new key', () => {
    const first = issueCredential(ID);
    const rotated = rotateCredential(ID, first.credential, 3_600_000, NOW);
    expect(rotated.previousValidUntil).toBe('2025-07-01T09:00:00.000Z');
    expect(rotated.credential.signingKey).not.toBe(first.credential.signingKey);
    const lookup = lookupOf(rotated.credential);
    expect(verifyToken(first.token, lookup, NOW + 3_599_999)).toEqual({ id: ID, agency: AGENCY });
    expect(verifyToken(first.token, lookup, NOW + 3_600_000)).toBeUndefined();
    expect(verifyToken(rotated.token, lookup, NOW + 10 * 3_600_000)).toEqual({ id: ID, agency: AGENCY });
  });

  it('stops the replaced token at once with no overlap, and a second rotation stops the first token', () => {
    const first = issueCredential(ID);
    const atOnce = rotateCredential(ID, first.credential, 0, NOW);
    expect(atOnce.credential.previous).toBeUndefined();
    expect(verifyToken(first.token, lookupOf(atOnce.credential), NOW)).toBeUndefined();

    const second = rotateCredential(ID, first.credential, 60_000, NOW);
    const third = rotateCredential(ID, second.credential, 60_000, NOW);
    expect(verifyToken(first.token, lookupOf(third.credential), NOW)).toBeUndefined();
    expect(verifyToken(second.token, lookupOf(third.credential), NOW)).toEqual({ id: ID, agency: AGENCY });
  });
});
