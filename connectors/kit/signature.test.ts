import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ceBlock, signatureHeaders, signedContent, signingKeyOf, signingKeyOfSecret, signV2, verifySignature, webhookSecretOf } from './signature.ts';

const KEY = signingKeyOf('qn-stp.token-for-signature-tests');
const BODY = Buffer.from('{"tên":"Sở Tư pháp"}', 'utf8');
const NOW = Date.UTC(2026, 0, 1, 8, 0, 0);

describe('signature v2 (Standard Webhooks)', () => {
  it('without ce-* headers the signed content is exactly <id>.<timestamp>.<body>, verifiable with the whsec_ secret as any stock library does', () => {
    const headers = signatureHeaders({
      signingKey: KEY,
      versions: ['v2'],
      id: 'hub-1',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: BODY,
      now: NOW,
    });
    expect(headers).toEqual({
      'webhook-id': 'hub-1',
      'webhook-timestamp': String(NOW / 1000),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
    });
    // What a Standard Webhooks library does: strip whsec_, base64-decode the key, HMAC `${id}.${timestamp}.${payload}`.
    const stockKey = Buffer.from(webhookSecretOf(KEY).slice('whsec_'.length), 'base64');
    const stock = createHmac('sha256', stockKey)
      .update(`hub-1.${NOW / 1000}.`)
      .update(BODY)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${stock}`);
  });

  it('the ce block: every ce-* header, names lower-cased and sorted, values as sent; nothing else', () => {
    const headers = { 'Ce-Type': 'vn.gov.document.sent', 'ce-id': 'e-1', 'ce-a-b': 'x', 'ce-a': 'y', 'content-type': 'application/json', 'x-api-key': 'k' };
    expect(ceBlock(headers)).toBe('ce-a:y\nce-a-b:x\nce-id:e-1\nce-type:vn.gov.document.sent\n');
    expect(signedContent('i', '1', headers, BODY).toString('utf8')).toBe(
      `i.1.ce-a:y\nce-a-b:x\nce-id:e-1\nce-type:vn.gov.document.sent\n${BODY.toString('utf8')}`,
    );
    expect(ceBlock({ 'content-type': 'application/json' })).toBe('');
    // A data-sharing call's context is signed too; the v1 signature header is not.
    expect(ceBlock({ 'X-LGSP-Purpose': 'identity-check', 'x-lgsp-signature': 'abc', 'ce-id': 'e-1' })).toBe('ce-id:e-1\nx-lgsp-purpose:identity-check\n');
  });

  it('a changed id, timestamp, ce-* header or body changes the signature', () => {
    const ce = { 'ce-type': 'vn.gov.document.sent', 'ce-source': 'urn:lgsp:agency:000.00.15.H49' };
    const base = signV2(KEY, 'hub-1', '100', ce, BODY);
    expect(signV2(KEY, 'hub-2', '100', ce, BODY)).not.toBe(base);
    expect(signV2(KEY, 'hub-1', '101', ce, BODY)).not.toBe(base);
    expect(signV2(KEY, 'hub-1', '100', { ...ce, 'ce-type': 'vn.gov.document.revoked' }, BODY)).not.toBe(base);
    expect(signV2(KEY, 'hub-1', '100', { ...ce, 'ce-to': 'national' }, BODY)).not.toBe(base);
    expect(signV2(KEY, 'hub-1', '100', ce, Buffer.concat([BODY, Buffer.from(' ')]))).not.toBe(base);
    expect(signV2(signingKeyOf('another'), 'hub-1', '100', ce, BODY)).not.toBe(base);
    expect(signV2(KEY, 'hub-1', '100', { ...ce, 'x-other': 'unsigned' }, BODY)).toBe(base);
  });

  it('the versions asked: v1 only, v2 only, or both', () => {
    const request = { signingKey: KEY, id: 'hub-1', headers: {}, body: BODY, now: NOW };
    expect(Object.keys(signatureHeaders({ ...request, versions: ['v1'] }))).toEqual(['x-lgsp-signature']);
    expect(Object.keys(signatureHeaders({ ...request, versions: ['v2'] }))).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    const both = signatureHeaders({ ...request, versions: ['v1', 'v2'] });
    expect(verifySignature(BODY, both['x-lgsp-signature'], KEY)).toBe(true); // v1 still verifiable
  });

  it('the whsec_ secret gives the key back; anything else is not a connector secret', () => {
    expect(signingKeyOfSecret(webhookSecretOf(KEY))).toBe(KEY);
    expect(signingKeyOfSecret(KEY)).toBeUndefined();
    expect(signingKeyOfSecret(`whsec_${Buffer.from('short').toString('base64')}`)).toBeUndefined();
  });

  it('signs what the Standard Webhooks reference vector signs, when no ce-* header is sent (structured mode)', () => {
    // The test vector published with the Standard Webhooks specification, copied by hand.
    const secretBytes = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const content = signedContent(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '1614265330',
      { 'content-type': 'application/cloudevents+json' },
      Buffer.from('{"test": 2432232314}'),
    );
    expect(`v1,${createHmac('sha256', secretBytes).update(content).digest('base64')}`).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});
