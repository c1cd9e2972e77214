import { createHash } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from './cloud-event.ts';
import { claimsOf, sentClaimsOf } from './hub-signature.ts';
import { SenderSignatureError, signAsSender, splitSignature, verifySenderSignature, type SenderPublicKey } from './sender-signature.ts';

const event = {
  specversion: '1.0',
  id: 'cv-2026-0042',
  source: 'urn:lgsp:agency:000.00.15.H49',
  type: 'vn.gov.document.sent',
  subject: 'Công văn 42/STP',
  to: '000.00.00.H49',
  data: { title: 'Báo cáo', pages: 3 },
} as unknown as CloudEvent;

async function keyPair(alg: 'EdDSA' | 'ES256', kid: string): Promise<{ privateKey: CryptoKey; publicKey: SenderPublicKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  return { privateKey, publicKey: { ...(await exportJWK(publicKey)), kid } };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SenderSignatureError);
  return (err as SenderSignatureError).code;
}

describe("a sender's signature", () => {
  it.each(['EdDSA', 'ES256'] as const)('round-trips with %s: the attributes and the SHA-256 of JSON.stringify(data)', async (alg) => {
    const { privateKey, publicKey } = await keyPair(alg, 'stp-1');
    const jws = await signAsSender(event, { kid: 'stp-1', alg, key: privateKey });
    const verified = await verifySenderSignature(jws, [publicKey], sentClaimsOf(event));
    expect(verified).toEqual({ key: publicKey, alg });
    expect(sentClaimsOf(event)).toEqual({
      id: 'cv-2026-0042',
      source: 'urn:lgsp:agency:000.00.15.H49',
      type: 'vn.gov.document.sent',
      subject: 'Công văn 42/STP',
      to: '000.00.00.H49',
      dataSha256: createHash('sha256').update('{"title":"Báo cáo","pages":3}', 'utf8').digest('hex'),
    });
  });

  it("signs the same claims as the hub's, minus what only the hub knows", () => {
    const { hubId: _h, connector: _c, acceptedAt: _a, ...sent } = claimsOf({ event, hubId: 'h', connector: 'c', acceptedAt: '2026-12-01T10:00:00.000Z' });
    expect(sent).toEqual(sentClaimsOf(event));
  });

  it('is refused when made with another key of the same kid', async () => {
    const signer = await keyPair('EdDSA', 'stp-1');
    const registered = await keyPair('EdDSA', 'stp-1');
    const jws = await signAsSender(event, { kid: 'stp-1', alg: 'EdDSA', key: signer.privateKey });
    expect(await failure(verifySenderSignature(jws, [registered.publicKey], sentClaimsOf(event)))).toBe('sender-signature-invalid');
  });

  it('is refused when its kid is not registered', async () => {
    const { privateKey, publicKey } = await keyPair('EdDSA', 'stp-1');
    const jws = await signAsSender(event, { kid: 'stp-2', alg: 'EdDSA', key: privateKey });
    expect(await failure(verifySenderSignature(jws, [publicKey], sentClaimsOf(event)))).toBe('sender-signature-unknown-key');
  });

  it('is refused when the data or an attribute was changed after signing', async () => {
    const { privateKey, publicKey } = await keyPair('EdDSA', 'stp-1');
    const jws = await signAsSender(event, { kid: 'stp-1', alg: 'EdDSA', key: privateKey });
    const tampered = { ...event, data: { ...event.data, pages: 4 } };
    const err = await verifySenderSignature(jws, [publicKey], sentClaimsOf(tampered)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SenderSignatureError);
    expect(err).toMatchObject({ code: 'sender-signature-mismatch', message: expect.stringContaining('dataSha256') });
    expect(await failure(verifySenderSignature(jws, [publicKey], sentClaimsOf({ ...event, to: '000.00.16.H49' })))).toBe('sender-signature-mismatch');
  });

  it('is refused when its payload was altered, or it is not a sender signature', async () => {
    const { privateKey, publicKey } = await keyPair('EdDSA', 'stp-1');
    const jws = await signAsSender(event, { kid: 'stp-1', alg: 'EdDSA', key: privateKey });
    const [header, , sig] = jws.split('.');
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...sentClaimsOf(event), to: '000.00.16.H49' })).toString('base64url')}.${sig}`;
    expect(await failure(verifySenderSignature(altered, [publicKey], sentClaimsOf(event)))).toBe('sender-signature-invalid');
    expect(await failure(verifySenderSignature('not-a-jws', [publicKey], sentClaimsOf(event)))).toBe('sender-signature-malformed');
    const otherTyp = await new CompactSign(Buffer.from(JSON.stringify(sentClaimsOf(event))))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'stp-1', typ: 'JWT' })
      .sign(privateKey);
    expect(await failure(verifySenderSignature(otherTyp, [publicKey], sentClaimsOf(event)))).toBe('sender-signature-malformed');
  });

  it('is taken off the event the hub keeps', () => {
    expect(splitSignature({ ...event, sendersignature: 'a.b.c' })).toEqual({ event, signature: 'a.b.c' });
    expect(splitSignature(event)).toEqual({ event });
  });
});
