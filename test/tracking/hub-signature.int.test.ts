/**
 * The hub's signature on real messages (docs/signatures.md), checked with `jose` directly against
 * the hub's `/.well-known/jwks.json` (not with the hub's own verify module): a recipient receives
 * it as `lgsp-hub-signature` over what it got, the trace and the ingress record carry the same,
 * a rotation changes the key of new messages while old ones still verify, a second instance on
 * the same topics signs with the same key, the registry topic holds no private key in clear, and
 * `lgsp verify` proves a real trace and refuses a tampered copy.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../connectors/webhook/simulator.ts';
import type { Hub } from '../../src/hub.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';
import type { Trace } from '../../src/tracking/trace.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { FAST_RETRIES, useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator, startTestHub, testConfig, TEST_ADMIN_TOKEN, TEST_SECRETS_KEY } from '../helpers/hub.ts';
import { readTopic, readTopicUntil } from '../helpers/kafka.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RECEIVER = { id: 'qn-ubnd-tinh', agency: '000.00.00.H49' } as const;

async function jwksOf(url: string): Promise<JSONWebKeySet> {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as JSONWebKeySet;
}

/** Verifies with jose alone; resolves with the kid and the signed claims. */
async function verifyWithJose(jws: string, jwks: JSONWebKeySet): Promise<{ kid: string | undefined; claims: Record<string, string> }> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
  return { kid: protectedHeader.kid, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, string> };
}

async function traceOf(url: string, hubId: string): Promise<Trace> {
  return waitFor('the trace', async () => {
    const res = await fetch(`${url}/v1/messages/${hubId}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    return res.status === 200 ? ((await res.json()) as Trace) : undefined;
  });
}

describe("the hub's signature on accepted messages", () => {
  const delivery = useDeliveryHub({ [RECEIVER.id]: RECEIVER.agency });
  let dir: string;
  let captured: ReceivedEvent;
  let firstKid: string;

  async function sendAndReceive(hub: Hub): Promise<ReceivedEvent> {
    const message = documentSent({ to: RECEIVER.agency, subject: 'Công văn về việc báo cáo tình hình' });
    expect((await post(hub.url, message, { token: delivery.token })).status).toBe(202);
    return waitFor('the delivery', () => delivery.systems[RECEIVER.id]!.sim.received().find((r) => r.event.id === message.id));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-hub-signature-'));
    captured = await sendAndReceive(delivery.hub);
    firstKid = (await jwksOf(delivery.hub.url)).keys[0]!.kid!;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the recipient receives lgsp-hub-signature, and it verifies with jose against /.well-known/jwks.json', async () => {
    const jws = captured.headers['lgsp-hub-signature'] as string;
    expect(jws).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const jwks = await jwksOf(delivery.hub.url);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: expect.any(String), alg: 'EdDSA', use: 'sig' });
    const { kid, claims } = await verifyWithJose(jws, jwks);
    expect(kid).toBe(firstKid);
    const { id, source, type, subject, to } = captured.event;
    expect(claims).toMatchObject({ hubId: captured.idempotencyKey, id, source, type, subject, to, connector: 'qn-stp-eoffice' });
    expect(claims.dataSha256).toBe(createHash('sha256').update(captured.body).digest('hex'));
    expect(Date.parse(claims.acceptedAt!)).toBeLessThanOrEqual(captured.receivedAt.getTime());
  });

  it('the trace and the ingress record carry the same signature', async () => {
    const hubId = captured.idempotencyKey;
    const trace = await traceOf(delivery.hub.url, hubId);
    expect(trace.message.hubSignature).toBe(captured.headers['lgsp-hub-signature']);
    const ingress = await readTopicUntil(delivery.hub.topics.ingress, (records) => records.some((r) => r.headers.lgsp_hubid === hubId));
    expect(ingress.find((r) => r.headers.lgsp_hubid === hubId)!.headers.lgsp_hub_signature).toBe(trace.message.hubSignature);
  });

  it('the registry topic holds the key sealed: its private part is nowhere in clear', async () => {
    const records = await readTopic(delivery.hub.topics.registry);
    const keyRecord = records.find((r) => r.key === `hub-key/${firstKid}`);
    expect(keyRecord).toBeDefined();
    const { hubKey } = JSON.parse(keyRecord!.value!) as { hubKey: { sealed: { privateKey: { $sealed: string } } } };
    const box = new SecretBox({ current: Buffer.from(TEST_SECRETS_KEY, 'base64'), old: [] });
    const { d } = box.open(hubKey.sealed.privateKey, { record: `hub-key/${firstKid}`, field: 'privateKey' }) as { d: string };
    expect(d).toMatch(/^[\w-]{43}$/);
    for (const record of records) expect(`${record.key} ${record.value}`).not.toContain(d);
  });

  it('lgsp verify proves a real trace and a delivery, offline too, and refuses tampered copies', async () => {
    const hubId = captured.idempotencyKey;
    const ok = await lgsp(delivery.hub.url, ['verify', '--trace', hubId]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining(`verified: key ${firstKid} (EdDSA)`) });
    expect(ok.stdout).toContain('the hub signed that connector qn-stp-eoffice handed in message');

    const trace = await traceOf(delivery.hub.url, hubId);
    await writeFile(join(dir, 'trace.json'), JSON.stringify(trace));
    await writeFile(join(dir, 'tampered.json'), JSON.stringify({ ...trace, message: { ...trace.message, subject: 'Công văn khác' } }));
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(await jwksOf(delivery.hub.url)));
    await writeFile(join(dir, 'headers.json'), JSON.stringify(captured.headers));
    await writeFile(join(dir, 'body.json'), captured.body);
    await writeFile(join(dir, 'altered.json'), Buffer.concat([captured.body, Buffer.from(' ')]));
    const offline = ['--jwks', join(dir, 'jwks.json'), '--hub', 'http://127.0.0.1:9'];
    expect((await lgsp(delivery.hub.url, ['verify', '--file', join(dir, 'trace.json'), ...offline])).code).toBe(0);
    const tampered = await lgsp(delivery.hub.url, ['verify', '--file', join(dir, 'tampered.json'), ...offline]);
    expect(tampered).toMatchObject({ code: 1, stderr: expect.stringContaining('subject is not what the hub signed') });
    const received = await lgsp(delivery.hub.url, ['verify', '--file', join(dir, 'headers.json'), '--data', join(dir, 'body.json'), ...offline]);
    expect(received).toMatchObject({ code: 0, stdout: expect.stringContaining('with exactly this data') });
    const altered = await lgsp(delivery.hub.url, ['verify', '--file', join(dir, 'headers.json'), '--data', join(dir, 'altered.json'), ...offline]);
    expect(altered).toMatchObject({ code: 1, stderr: expect.stringContaining('is not the data the hub signed') });
  });

  it('after POST /v1/hub-keys:rotate new messages carry the new kid, and the old one still verifies', async () => {
    const res = await asOperator(delivery.hub.url, '/v1/hub-keys:rotate', { method: 'POST' });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { kid: string; generation: number };
    expect(rotated).toMatchObject({ kid: expect.not.stringMatching(firstKid), generation: 2 });
    const next = await sendAndReceive(delivery.hub);
    const jwks = await jwksOf(delivery.hub.url);
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, firstKid]);
    expect((await verifyWithJose(next.headers['lgsp-hub-signature'] as string, jwks)).kid).toBe(rotated.kid);
    expect((await verifyWithJose(captured.headers['lgsp-hub-signature'] as string, jwks)).kid).toBe(firstKid);
  });

  it('a second instance on the same topics signs with the same key and serves the same key set', async () => {
    const prefix = delivery.hub.topics.registry.replace(/registry$/, '');
    const second = await startTestHub(testConfig({ LGSP_TOPIC_PREFIX: prefix, LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    try {
      const jwks = await jwksOf(second.url);
      expect(jwks).toEqual(await jwksOf(delivery.hub.url));
      const received = await sendAndReceive(second);
      expect(decodeProtectedHeader(received.headers['lgsp-hub-signature'] as string).kid).toBe(jwks.keys[0]!.kid);
      await verifyWithJose(received.headers['lgsp-hub-signature'] as string, await jwksOf(delivery.hub.url));
    } finally {
      await second.close();
    }
  });
});
