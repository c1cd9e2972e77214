import { describe, expect, it } from 'vitest';
import { signatureHeaders, signingKeyOf, verifySignature } from './signature.ts';
import { ReplayGuard, verifyWebhook, WebhookVerificationError, type WebhookFailure } from './webhook-verifier.ts';

const KEY = signingKeyOf('qn-stp.token-for-verifier-tests');
const NOW = Date.UTC(2026, 0, 1, 8, 0, 0);
const BODY = Buffer.from('{"documentId":"123/QĐ-UBND"}', 'utf8');
const CE = { 'ce-id': 'e-1', 'ce-type': 'vn.gov.document.sent', 'ce-source': 'urn:lgsp:agency:000.00.15.H49', 'ce-specversion': '1.0' };

/** A delivery as the hub sends it, signed at `at`. */
function delivery(at = NOW, id = 'hub-1'): { headers: Record<string, string>; body: Buffer } {
  const headers = { ...CE, 'content-type': 'application/json', 'idempotency-key': id };
  return { headers: { ...headers, ...signatureHeaders({ signingKey: KEY, versions: ['v1', 'v2'], id, headers, body: BODY, now: at }) }, body: BODY };
}

function failure(run: () => unknown): WebhookFailure {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('verifyWebhook', () => {
  it('verifies a delivery within the window, either way, and gives its id and time', () => {
    const { headers, body } = delivery();
    expect(verifyWebhook({ signingKey: KEY, headers, body, now: NOW + 299_000 })).toEqual({ id: 'hub-1', timestamp: NOW });
    expect(verifyWebhook({ signingKey: KEY, headers, body, now: NOW - 299_000 }).id).toBe('hub-1');
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ signingKey: KEY, headers: upper, body, now: NOW }).id).toBe('hub-1');
  });

  it('refuses a tampered body, ce-type, ce-source, an added ce-* header, another id or key', () => {
    const { headers, body } = delivery();
    const check = (h: Record<string, string>, b = body, key = KEY) => failure(() => verifyWebhook({ signingKey: key, headers: h, body: b, now: NOW }));
    expect(check(headers, Buffer.from('{"documentId":"124/QĐ-UBND"}', 'utf8'))).toBe('bad-signature');
    expect(check({ ...headers, 'ce-type': 'vn.gov.document.revoked' })).toBe('bad-signature');
    expect(check({ ...headers, 'ce-source': 'urn:lgsp:agency:000.00.00.H49' })).toBe('bad-signature');
    expect(check({ ...headers, 'ce-to': 'national' })).toBe('bad-signature');
    expect(check({ ...headers, 'webhook-id': 'hub-2' })).toBe('bad-signature');
    expect(check(headers, body, signingKeyOf('another-token'))).toBe('bad-signature');
  });

  it('refuses an old or future timestamp (a late replay, or a wrong clock), and a malformed one', () => {
    const { headers, body } = delivery();
    expect(failure(() => verifyWebhook({ signingKey: KEY, headers, body, now: NOW + 301_000 }))).toBe('outside-window');
    expect(failure(() => verifyWebhook({ signingKey: KEY, headers, body, now: NOW - 301_000 }))).toBe('outside-window');
    const later = { ...headers, 'webhook-timestamp': String((NOW + 600_000) / 1000) }; // re-dated without re-signing
    expect(failure(() => verifyWebhook({ signingKey: KEY, headers: later, body, now: NOW + 600_000 }))).toBe('bad-signature');
    expect(failure(() => verifyWebhook({ signingKey: KEY, headers: { ...headers, 'webhook-timestamp': '2026-01-01T08:00:00Z' }, body, now: NOW }))).toBe(
      'malformed-timestamp',
    );
  });

  it('names the missing headers', () => {
    const { headers, body } = delivery();
    const { 'webhook-signature': _s, 'webhook-id': _i, ...unsigned } = headers;
    expect(() => verifyWebhook({ signingKey: KEY, headers: unsigned, body, now: NOW })).toThrow(/webhook-id, webhook-signature/);
    expect(failure(() => verifyWebhook({ signingKey: KEY, headers: unsigned, body, now: NOW }))).toBe('missing-header');
  });

  it('accepts one matching signature among several (key rotation), ignoring other version tags', () => {
    const { headers, body } = delivery();
    const several = { ...headers, 'webhook-signature': `v1a,AAAA v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}` };
    expect(verifyWebhook({ signingKey: KEY, headers: several, body, now: NOW }).id).toBe('hub-1');
  });

  it('with a ReplayGuard, an id verified before is replayed; a new attempt of another id is not', () => {
    const replays = new ReplayGuard();
    const first = delivery();
    expect(verifyWebhook({ signingKey: KEY, ...first, now: NOW, replays }).id).toBe('hub-1');
    expect(failure(() => verifyWebhook({ signingKey: KEY, ...first, now: NOW + 1000, replays }))).toBe('replayed');
    const retry = delivery(NOW + 60_000); // the hub's retry: the same id, signed anew
    expect(failure(() => verifyWebhook({ signingKey: KEY, ...retry, now: NOW + 60_000, replays }))).toBe('replayed');
    expect(verifyWebhook({ signingKey: KEY, ...delivery(NOW, 'hub-2'), now: NOW, replays }).id).toBe('hub-2');
  });

  it('the v1 header of the same delivery still verifies (the deprecation period)', () => {
    const { headers, body } = delivery();
    expect(verifySignature(body, headers['x-lgsp-signature'], KEY)).toBe(true);
  });
});

describe('ReplayGuard', () => {
  it('forgets ids once their window is over, and the oldest past its bound', () => {
    const guard = new ReplayGuard(2);
    expect(guard.seen('a', NOW + 10, NOW)).toBe(false);
    expect(guard.seen('a', NOW + 10, NOW + 5)).toBe(true);
    expect(guard.seen('a', NOW + 30, NOW + 20)).toBe(false); // expired: new again
    expect(guard.seen('b', NOW + 100, NOW + 20)).toBe(false);
    expect(guard.seen('c', NOW + 100, NOW + 20)).toBe(false); // full: 'a' goes
    expect(guard.size).toBe(2);
    expect(guard.seen('b', NOW + 100, NOW + 21)).toBe(true);
    expect(guard.seen('a', NOW + 100, NOW + 21)).toBe(false);
  });
});
