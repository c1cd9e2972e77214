import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet, type ConnectorManifest } from '../../src/contract/schema-set.ts';
import { AdapterError, type Sender } from '../kit/adapter.ts';
import { signingKeyOf } from '../kit/signature.ts';
import { openSender } from '../kit/kind-context.ts';
import { webhookAdapter } from './adapter.ts';
import { encodeEvent, percentEncode } from './codec.ts';
import { startWebhookSimulator, type ReceivedEvent, type WebhookSimulator } from './simulator.ts';

const fixture = (name: string): CloudEvent => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as CloudEvent;
const sent = fixture('binary-document-sent.json'); // has dataschema, datacontenttype, to
const status = fixture('structured-document-status.json'); // has to, correlationid; no datacontenttype
const KEY = signingKeyOf('webhook-token-1');

/** The sender the hub would open for this manifest, signing with `signingKey`. */
const webhookSender = (m: ConnectorManifest, signingKey: string): Sender => openSender(webhookAdapter, m, { signingKey })!;

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

function manifest(endpoint: string, delivery: Record<string, unknown> = {}, settings?: Record<string, unknown>): ConnectorManifest {
  const { manifest: m, issues } = schemas.validateConnector({
    id: 'qn-stp-eoffice',
    agency: '000.00.15.H49',
    kind: 'webhook',
    endpoint,
    delivery: { timeoutMs: 500, ...delivery },
    ...(settings ? { settings } : {}),
  });
  expect(issues).toEqual([]);
  return m!;
}

const request = (contentType: string, body: string | Buffer) => ({
  contentType,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  headers: {},
});

function decodeError(fn: () => unknown): AdapterError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AdapterError);
    return err as AdapterError;
  }
  throw new Error('expected an AdapterError');
}

describe('webhook fixtures and settings', () => {
  it('fixtures are valid messages', () => {
    for (const event of [sent, status]) {
      expect(schemas.validateEnvelope(event)).toEqual([]);
      expect(schemas.validateData(event.type, event.data, event.dataschema)).toEqual([]);
    }
  });

  it('settingsSchema compiles in strict mode and accepts only safe static headers', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajvFormats.default(ajv);
    const validate = ajv.compile(webhookAdapter.settingsSchema);
    expect(validate({})).toBe(true);
    expect(validate({ headers: { 'X-Api-Key': 'abc 123' } })).toBe(true);
    expect(validate({ signingKey: KEY })).toBe(false); // the secret never lives in a manifest
    expect(validate({ headers: { 'Ce-Id': 'x' } })).toBe(false);
    expect(validate({ headers: { 'x-note': 'a\r\nInjected: 1' } })).toBe(false);
    expect(validate({ headers: { 'bad name': 'x' } })).toBe(false);
  });
});

describe('webhook decode', () => {
  const decode = webhookAdapter.decode!.bind(webhookAdapter);

  it('reads one structured event and a batch, in order', () => {
    const m = {} as ConnectorManifest;
    expect(decode(request('application/cloudevents+json; charset=utf-8', JSON.stringify(sent)), m)).toEqual([sent]);
    expect(decode(request('application/cloudevents-batch+json', JSON.stringify([status, sent])), m)).toEqual([status, sent]);
  });

  it('refuses non-JSON, non-UTF-8, wrong shapes and other content types, with the path', () => {
    const failure = (contentType: string, body: string | Buffer) => decodeError(() => decode(request(contentType, body), {} as ConnectorManifest));
    expect(failure('application/cloudevents+json', '{"id": ')).toMatchObject({ code: 'adapter-decode-failed', path: '' });
    expect(failure('application/cloudevents+json', Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ path: '' });
    expect(failure('application/cloudevents+json', '[{}]')).toMatchObject({ path: '' });
    expect(failure('application/cloudevents-batch+json', '{}')).toMatchObject({ path: '' });
    expect(failure('application/cloudevents-batch+json', '[{}, "x"]')).toMatchObject({ path: '/1' });
    expect(failure('application/json', '{}').message).toContain('content type');
  });
});

describe('webhook encode', () => {
  it('binary mode: ce-* headers percent-encoded, data as the body; extra headers never override', () => {
    const { headers, body } = encodeEvent({ ...status, subject: 'Hồ sơ "số 1" 100%' }, 'binary', {
      'X-Api-Key': 'k',
      'Content-Type': 'text/plain',
      'ce-id': 'forged',
    });
    expect(headers).toEqual({
      'x-api-key': 'k',
      'ce-id': status.id,
      'ce-source': status.source,
      'ce-type': status.type,
      'ce-specversion': '1.0',
      'ce-subject': 'H%E1%BB%93%20s%C6%A1%20%22s%E1%BB%91%201%22%20100%25',
      'ce-time': status.time,
      'ce-to': status.to,
      'ce-correlationid': status.correlationid,
      'content-type': 'application/json',
    });
    expect(JSON.parse(body.toString('utf8'))).toEqual(status.data);
    expect(percentEncode('urn:lgsp:agency:000.00.15.H49')).toBe('urn:lgsp:agency:000.00.15.H49');
  });

  it('binary mode: the data bytes the hub holds are sent as they are, not parsed and serialised again', () => {
    const held = Buffer.from('{"maHoSo": "000.00.15.H49-261201-0001",  "trangThai":"1"}');
    expect(encodeEvent(status, 'binary', {}, held).body).toBe(held);
  });

  it('structured mode: the whole event as application/cloudevents+json', () => {
    const { headers, body } = encodeEvent(sent, 'structured');
    expect(headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    expect(JSON.parse(body.toString('utf8'))).toEqual(sent);
  });
});

describe('webhook sender against the simulated agency system (real HTTP)', () => {
  let sim: WebhookSimulator;
  const senders: Sender[] = [];
  const track = (s: Sender): Sender => (senders.push(s), s);

  beforeEach(async () => {
    sim = await startWebhookSimulator({ signingKey: KEY });
  });
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.close();
    await sim.close();
  });

  it('binary mode: the system rebuilds the identical event, diacritics intact', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint), KEY));
    const vietnamese = { ...status, id: 'st-2', subject: 'Hồ sơ liên thông: Đăng ký khai sinh' };
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toEqual({ outcome: 'delivered', status: 200 });
    expect(await sender.deliver({ event: vietnamese, hubId: 'h-2', attempt: 1 })).toMatchObject({ outcome: 'delivered' });
    const [first, second] = sim.received();
    expect(first?.event).toEqual(sent);
    expect(first?.idempotencyKey).toBe('h-1');
    // Binary mode always says content-type: application/json, which reads back as datacontenttype.
    expect(second?.event).toEqual({ ...vietnamese, datacontenttype: 'application/json' });
  });

  it('structured mode on request: the event arrives as sent', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint, { mode: 'structured' }), KEY));
    expect(await sender.deliver({ event: status, hubId: 'h-1', attempt: 1 })).toMatchObject({ outcome: 'delivered' });
    expect(sim.received().map((r) => r.event)).toEqual([status]);
  });

  it('a signature under another key is refused (401) and nothing is stored', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint), signingKeyOf('another-token')));
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toMatchObject({ outcome: 'refused', status: 401 });
    expect(sim.received()).toEqual([]);
  });

  it('a repeated Idempotency-Key is answered 200 and stored once; a retried attempt too', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint), KEY));
    sim.faults.set({ kind: 'error', status: 503, times: 1 });
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toMatchObject({ outcome: 'retry', status: 503 });
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 2 })).toMatchObject({ outcome: 'delivered' });
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 3 })).toMatchObject({ outcome: 'delivered' });
    expect(sim.received()).toHaveLength(1);
    expect(sim.attempts).toBe(3);
  });

  it('a down system is a retry; back on its port, delivery resumes', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint), KEY));
    await sim.close();
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toEqual({
      outcome: 'retry',
      failure: 'connection',
      reason: 'connection error: ECONNREFUSED',
    });
    await sim.restart();
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 2 })).toMatchObject({ outcome: 'delivered' });
    expect(sim.received()).toHaveLength(1);
  });

  it('v2 by default: a delivery re-sent after the window, re-addressed, or re-keyed is refused; within the window it is a duplicate', async () => {
    const sender = track(webhookSender(manifest(sim.endpoint), KEY));
    expect(await sender.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toMatchObject({ outcome: 'delivered' });
    const [{ headers, body }] = sim.received() as [ReceivedEvent];
    expect(headers).toMatchObject({ 'webhook-id': 'h-1', 'idempotency-key': 'h-1', 'webhook-signature': expect.stringMatching(/^v1,/) });
    const resend = async (changed: Record<string, string>, to = sim.endpoint) => {
      const sentHeaders = Object.fromEntries(Object.entries({ ...headers, ...changed }).filter(([n]) => !['host', 'content-length', 'connection'].includes(n)));
      const res = await fetch(to, { method: 'POST', headers: sentHeaders as Record<string, string>, body: new Uint8Array(body) });
      return { status: res.status, body: (await res.json()) as { failure?: string } };
    };
    expect(await resend({})).toEqual({ status: 200, body: { duplicate: true } }); // a replay within the window: not stored twice
    expect(await resend({ 'ce-type': 'vn.gov.document.revoked' })).toMatchObject({ status: 401, body: { failure: 'bad-signature' } });
    expect(await resend({ 'ce-source': 'urn:lgsp:agency:000.00.00.H49' })).toMatchObject({ status: 401, body: { failure: 'bad-signature' } });
    expect(await resend({ 'idempotency-key': 'h-2' })).toMatchObject({ status: 400 });
    const later = await startWebhookSimulator({ signingKey: KEY, now: () => Date.now() + 6 * 60_000 });
    try {
      expect(await resend({}, later.endpoint)).toMatchObject({ status: 401, body: { failure: 'outside-window' } });
      expect(later.received()).toEqual([]);
    } finally {
      await later.close();
    }
    expect(sim.received()).toHaveLength(1);
  });

  it('delivery.signatureVersions: ["v2"] drops X-LGSP-Signature; ["v1"] is still verifiable by a v1 system', async () => {
    const v2Only = track(webhookSender(manifest(sim.endpoint, { signatureVersions: ['v2'] }), KEY));
    expect(await v2Only.deliver({ event: sent, hubId: 'h-1', attempt: 1 })).toMatchObject({ outcome: 'delivered' });
    expect(sim.received()[0]?.headers['x-lgsp-signature']).toBeUndefined();
    const v1Only = track(webhookSender(manifest(sim.endpoint, { signatureVersions: ['v1'] }), KEY));
    expect(await v1Only.deliver({ event: sent, hubId: 'h-2', attempt: 1 })).toMatchObject({ outcome: 'refused', status: 401 }); // this system requires v2
    const v1System = await startWebhookSimulator({ signingKey: KEY, verify: 'v1' });
    try {
      const toV1 = track(webhookSender(manifest(v1System.endpoint, { signatureVersions: ['v1'] }), KEY));
      expect(await toV1.deliver({ event: sent, hubId: 'h-3', attempt: 1 })).toMatchObject({ outcome: 'delivered' });
    } finally {
      await v1System.close();
    }
  });

  it('a sender needs the signing key the hub keeps (settings cannot carry one)', () => {
    expect(() => webhookSender(manifest(sim.endpoint), '')).toThrow(/signing key/);
    expect(() => webhookSender(manifest(sim.endpoint, {}, { signingKey: KEY }), KEY)).toThrow(/settings\.signingKey/); // refused by the settings spec
  });
});
