import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { AdapterError, type Sender } from '../kit/adapter.ts';
import { openSender } from '../kit/kind-context.ts';
import { signingKeyOf, verifySignature } from '../kit/signature.ts';
import { edxmlAdapter } from './adapter.ts';
import { decodeEdxml } from './codec.ts';
import { startEofficeSimulator, type EofficeSimulator } from './simulator.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const xml = (body: Buffer) => ({ contentType: 'application/xml', body, headers: {} });
const signingKey = signingKeyOf('eoffice-token-0123456789');

function manifest(endpoint: string): ConnectorManifest {
  return {
    id: 'qn-stp-eoffice',
    agency: '000.00.15.H49',
    kind: 'edxml',
    endpoint,
    subscriptions: [{ type: 'vn.gov.document.sent' }],
    delivery: {
      timeoutMs: 2000,
      retrySchedule: ['1s'],
      maxInFlight: 1,
      mode: 'structured',
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1000 },
      signatureVersions: ['v1', 'v2'],
    },
  };
}

function refusal(action: () => unknown): AdapterError {
  try {
    action();
  } catch (err) {
    if (err instanceof AdapterError) return err;
    throw err;
  }
  throw new Error('expected an AdapterError');
}

describe('edxml adapter: decode', () => {
  it('decodes a pushed package into the events the codec gives', () => {
    const body = fixture('document-sent.xml');
    const events = edxmlAdapter.decode!(xml(body), manifest('http://127.0.0.1:1/edxml'));
    expect(events).toEqual(decodeEdxml(body));
    expect(events[0]?.type).toBe('vn.gov.document.sent');
  });

  it('refuses an attack package with adapter-decode-failed, keeping the codec path', () => {
    const error = refusal(() => edxmlAdapter.decode!(xml(fixture('attack-external-entity.xml')), manifest('http://127.0.0.1:1/edxml')));
    expect(error.code).toBe('adapter-decode-failed');
    expect(error.message).toMatch(/^edxml-forbidden-dtd: /);
    const wrongHash = refusal(() => edxmlAdapter.decode!(xml(fixture('invalid-attachment-wrong-hash.xml')), manifest('http://127.0.0.1:1/edxml')));
    expect(wrongHash.path).toMatch(/^\/edXML\//);
  });
});

describe('edxml adapter: sender', () => {
  let sim: EofficeSimulator | undefined;
  let sender: Sender | undefined;
  afterEach(async () => {
    await sender?.close();
    await sim?.close();
    sender = sim = undefined;
  });

  it('delivers a document to the e-office simulator: the event round-trips, signed, once per key', async () => {
    sim = await startEofficeSimulator();
    sender = openSender(edxmlAdapter, manifest(sim.endpoint), { signingKey })!;
    const [event] = decodeEdxml(fixture('document-sent.xml'));
    const delivery = { event: event!, hubId: 'hub-1', attempt: 1 };
    expect(await sender.deliver(delivery)).toEqual({ outcome: 'delivered', status: 200 });
    expect(await sender.deliver({ ...delivery, attempt: 2 })).toEqual({ outcome: 'delivered', status: 200 });
    expect(sim.received()).toEqual([event]);
    const [request] = sim.requests();
    expect(request?.contentType).toBe('application/xml; charset=utf-8');
    expect(verifySignature(request!.body, request!.signature, signingKey)).toBe(true);
    expect(sim.counts.duplicates).toBe(1);
  });

  it('retries on 503 and refuses what the e-office system rejects', async () => {
    sim = await startEofficeSimulator();
    sender = openSender(edxmlAdapter, manifest(sim.endpoint), { signingKey })!;
    const [event] = decodeEdxml(fixture('status-accepted.xml'));
    sim.faults.set({ kind: 'error', status: 503, times: 1 });
    expect(await sender.deliver({ event: event!, hubId: 'hub-2', attempt: 1 })).toMatchObject({ outcome: 'retry', status: 503 });
    sim.faults.set({ kind: 'reject', status: 422, times: 1 });
    expect(await sender.deliver({ event: event!, hubId: 'hub-2', attempt: 2 })).toMatchObject({ outcome: 'refused', status: 422 });
  });

  it('throws adapter-encode-failed for an event with no edXML form', async () => {
    sim = await startEofficeSimulator();
    sender = openSender(edxmlAdapter, manifest(sim.endpoint), { signingKey })!;
    const [event] = decodeEdxml(fixture('document-sent.xml'));
    await expect(sender.deliver({ event: { ...event!, type: 'vn.gov.dossier.status' }, hubId: 'hub-3', attempt: 1 })).rejects.toMatchObject({
      code: 'adapter-encode-failed',
      path: '/type',
    });
    expect(sim.counts.total).toBe(0);
  });
});
