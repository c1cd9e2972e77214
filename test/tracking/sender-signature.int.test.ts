/**
 * The chain of custody (docs/signatures.md): a connector that registered an Ed25519 public key
 * signs each event (`sendersignature`), the hub checks it on ingest and passes it on beside its own
 * signature, and the recipient verifies both with `jose` directly: the hub's against
 * `/.well-known/jwks.json`, the sender's against the registered key. Unsigned, wrongly signed or
 * unverifiable events are 401 bad-signature with nothing written, and `lgsp verify` reports both.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../connectors/webhook/simulator.ts';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { signAsSender } from '../../src/contract/sender-signature.ts';
import type { Trace } from '../../src/tracking/trace.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator, registerConnector, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { readTopic } from '../helpers/kafka.ts';
import { documentSent, OTHER, post, SENDER } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RECEIVER = { id: 'qn-ubnd-tinh', agency: '000.00.00.H49' } as const;
const KID = 'stp-2026-1';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors: { path: string; message: string }[];
}

async function keyPair(): Promise<{ privateKey: CryptoKey; publicKey: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateKey, publicKey: { ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' } };
}

async function traceOf(url: string, hubId: string): Promise<Trace> {
  return waitFor('the trace', async () => {
    const res = await fetch(`${url}/v1/messages/${hubId}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    return res.status === 200 ? ((await res.json()) as Trace) : undefined;
  });
}

describe("a sender's own signature: the chain of custody", () => {
  const delivery = useDeliveryHub({ [RECEIVER.id]: RECEIVER.agency });
  let sender: { privateKey: CryptoKey; publicKey: JWK };
  let dir: string;

  async function signed(overrides: Record<string, unknown> = {}, key: CryptoKey = sender.privateKey): Promise<Record<string, unknown>> {
    const event = documentSent({ to: RECEIVER.agency, ...overrides });
    return { ...event, sendersignature: await signAsSender(event as unknown as CloudEvent, { kid: KID, alg: 'EdDSA', key }) };
  }

  async function refused(body: unknown, contentType?: string): Promise<Problem> {
    const res = await post(delivery.hub.url, body, { token: delivery.token, ...(contentType ? { contentType } : {}) });
    expect(res.status).toBe(401);
    return (await res.json()) as Problem;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-sender-signature-'));
    sender = await keyPair();
    const res = await asOperator(delivery.hub.url, `/v1/connectors/${SENDER.id}`, {
      method: 'PUT',
      body: { ...SENDER, kind: 'webhook', auth: { publicKeys: [sender.publicKey] } },
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a manifest that registers a private key', async () => {
    const { privateKey } = await keyPair();
    const res = await asOperator(delivery.hub.url, '/v1/connectors', {
      body: { id: 'qn-stp-leak', agency: SENDER.agency, kind: 'webhook', auth: { publicKeys: [{ ...(await exportJWK(privateKey)), kid: 'leak' }] } },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('/auth/publicKeys/0/d');
  });

  it('refuses two public keys with one kid', async () => {
    const key = (await keyPair()).publicKey;
    const other = (await keyPair()).publicKey; // another key, the same kid
    const res = await asOperator(delivery.hub.url, '/v1/connectors', {
      body: { id: 'qn-stp-twins', agency: SENDER.agency, kind: 'webhook', auth: { publicKeys: [key, other] } },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['/auth/publicKeys/1/kid']);
  });

  it('a signed message is accepted, and the recipient verifies both signatures with jose, end to end', async () => {
    const message = await signed({ subject: 'Công văn về việc báo cáo tình hình' });
    expect((await post(delivery.hub.url, message, { token: delivery.token })).status).toBe(202);
    const received: ReceivedEvent = await waitFor('the delivery', () => delivery.systems[RECEIVER.id]!.sim.received().find((r) => r.event.id === message.id));
    const hubJws = received.headers['lgsp-hub-signature'] as string;
    const senderJws = received.headers['lgsp-sender-signature'] as string;
    expect(senderJws).toBe(message.sendersignature);
    const dataSha256 = createHash('sha256').update(received.body).digest('hex');
    const { id, source, type, subject, time, to } = received.event;

    const jwks = (await (await fetch(`${delivery.hub.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).not.toContain(KID);
    const hub = await compactVerify(hubJws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    const hubClaims = JSON.parse(new TextDecoder().decode(hub.payload)) as Record<string, string>;
    expect(hubClaims).toMatchObject({ hubId: received.idempotencyKey, id, source, type, subject, to, connector: SENDER.id, dataSha256 });

    const own = await compactVerify(senderJws, await importJWK(sender.publicKey, 'EdDSA'), { algorithms: ['EdDSA'] });
    expect(own.protectedHeader).toMatchObject({ kid: KID, typ: 'lgsp-sent+jws' });
    expect(JSON.parse(new TextDecoder().decode(own.payload))).toEqual({ id, source, type, subject, time, to, dataSha256 });
    expect(received.event).not.toHaveProperty('sendersignature');

    const trace = await traceOf(delivery.hub.url, received.idempotencyKey);
    expect(trace.message).toMatchObject({ hubSignature: hubJws, senderSignature: senderJws, senderKey: sender.publicKey });
    const ingress = await readTopic(delivery.hub.topics.ingress);
    expect(ingress.find((r) => r.headers.lgsp_hubid === received.idempotencyKey)!.headers.lgsp_sender_signature).toBe(senderJws);

    const ok = await lgsp(delivery.hub.url, ['verify', '--trace', received.idempotencyKey]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining(`verified: key ${KID} (EdDSA), over the same message and data as the hub's`) });
    expect(ok.stdout).toContain(`the sender signed the same with its key ${KID}`);

    // A trace whose sender signature was swapped for one over another message proves nothing.
    const other = (await signed({ id, subject: 'Công văn khác' })).sendersignature;
    await writeFile(join(dir, 'swapped.json'), JSON.stringify({ ...trace, message: { ...trace.message, senderSignature: other } }));
    const jwksFile = join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify(jwks));
    const swapped = await lgsp(delivery.hub.url, ['verify', '--file', join(dir, 'swapped.json'), '--jwks', jwksFile, '--hub', 'http://127.0.0.1:9']);
    expect(swapped).toMatchObject({ code: 1, stderr: expect.stringContaining("the sender's signature: sender-signature-mismatch") });
  });

  it('unsigned, wrongly signed or tampered events are 401 bad-signature naming each, and nothing is written', async () => {
    const unsigned = documentSent({ to: RECEIVER.agency });
    expect(await refused(unsigned)).toMatchObject({
      type: expect.stringContaining('bad-signature'),
      errors: [{ path: '/sendersignature', message: expect.stringContaining('sender-signature-missing') }],
    });
    const stranger = await keyPair();
    const wrongKey = await signed({}, stranger.privateKey);
    expect((await refused(wrongKey)).errors).toEqual([{ path: '/sendersignature', message: expect.stringContaining('sender-signature-invalid') }]);
    const good = await signed();
    const data = good.data as { from: Record<string, unknown> };
    const tampered: Record<string, unknown> = { ...good, data: { ...data, from: { ...data.from, organName: 'Sở khác' } } };
    expect((await refused(tampered)).errors).toEqual([{ path: '/sendersignature', message: expect.stringContaining('dataSha256') }]);
    const batch = await refused([await signed(), unsigned, wrongKey], 'application/cloudevents-batch+json');
    expect(batch.errors.map((e) => e.path)).toEqual(['/1/sendersignature', '/2/sendersignature']);

    // A connector that registered no key cannot have a signature checked: refused, not passed on unchecked.
    const otherToken = await registerConnector(delivery.hub.url, { id: 'qn-syt-2', agency: OTHER.agency, kind: 'webhook' });
    const res = await post(delivery.hub.url, await signed({ source: `urn:lgsp:agency:${OTHER.agency}` }), { token: otherToken });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Problem).errors[0]!.message).toContain('sender-signature-unexpected');

    // The next good message arrives; none of the refused ones was written.
    const after = await signed();
    expect((await post(delivery.hub.url, after, { token: delivery.token })).status).toBe(202);
    await waitFor('the delivery', () => delivery.systems[RECEIVER.id]!.sim.received().find((r) => r.event.id === after.id));
    const ids = (await readTopic(delivery.hub.topics.ingress)).map((r) => r.headers.ce_id);
    for (const event of [unsigned, wrongKey, tampered]) expect(ids).not.toContain(event.id);
  });
});
