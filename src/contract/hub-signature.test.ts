import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from './cloud-event.ts';
import { claimsOf, differences, HubSignatureError, sha256Hex, signClaims, verifyHubSignature, type HubSigningKey } from './hub-signature.ts';
import { dataBytes, type AcceptedMessage } from './kafka-binding.ts';

const event = {
  specversion: '1.0',
  id: 'cv-2026-0042',
  source: 'urn:lgsp:agency:000.00.15.H49',
  type: 'vn.gov.document.sent',
  subject: 'Công văn 42/STP',
  to: '000.00.00.H49',
  data: { title: 'Báo cáo', pages: 3 },
} as unknown as CloudEvent;
const message: AcceptedMessage = { event, hubId: '0f1e2d3c-4b5a-8968-8776-a5b4c3d2e1f0', connector: 'qn-stp-eoffice', acceptedAt: '2026-12-01T10:00:00.000Z' };

async function keyPair(kid: string): Promise<{ signing: HubSigningKey; jwks: { keys: Record<string, unknown>[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { signing: { kid, key: privateKey }, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] } };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubSignatureError);
  return (err as HubSignatureError).code;
}

describe('the hub signature', () => {
  it('signs the attributes and the SHA-256 of the data bytes, and verifies against the key set', async () => {
    const { signing, jwks } = await keyPair('k1');
    const jws = await signClaims(claimsOf(message), signing);
    const verified = await verifyHubSignature(jws, jwks);
    expect(verified).toMatchObject({ kid: 'k1', alg: 'EdDSA' });
    expect(verified.claims).toEqual({
      hubId: message.hubId,
      id: 'cv-2026-0042',
      source: 'urn:lgsp:agency:000.00.15.H49',
      type: 'vn.gov.document.sent',
      subject: 'Công văn 42/STP',
      to: '000.00.00.H49',
      connector: 'qn-stp-eoffice',
      acceptedAt: '2026-12-01T10:00:00.000Z',
      dataSha256: sha256Hex(dataBytes(event.data)),
    });
    expect(differences(verified.claims, { subject: 'Công văn 42/STP', to: '000.00.00.H49' })).toEqual([]);
  });

  it('tells tampered data and a tampered attribute from the signed ones', async () => {
    const { signing, jwks } = await keyPair('k1');
    const { claims } = await verifyHubSignature(await signClaims(claimsOf(message), signing), jwks);
    expect(claims.dataSha256).not.toBe(sha256Hex(dataBytes({ ...event.data, pages: 4 })));
    expect(differences(claims, { subject: 'Công văn 43/STP', correlationid: 'x' })).toEqual([
      { attribute: 'subject', signed: 'Công văn 42/STP', seen: 'Công văn 43/STP' },
      { attribute: 'correlationid', seen: 'x' },
    ]);
  });

  it('refuses an altered payload, an unknown kid, another key and what is not a JWS', async () => {
    const { signing, jwks } = await keyPair('k1');
    const other = await keyPair('k1');
    const jws = await signClaims(claimsOf(message), signing);
    const [header, , signature] = jws.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(message), subject: 'Công văn khác' })).toString('base64url');
    expect(await failure(verifyHubSignature(`${header}.${forged}.${signature}`, jwks))).toBe('hub-signature-invalid');
    expect(await failure(verifyHubSignature(jws, other.jwks))).toBe('hub-signature-invalid');
    expect(await failure(verifyHubSignature(await signClaims(claimsOf(message), { ...signing, kid: 'k9' }), jwks))).toBe('hub-signature-unknown-key');
    expect(await failure(verifyHubSignature('not-a-jws', jwks))).toBe('hub-signature-malformed');
  });
});
