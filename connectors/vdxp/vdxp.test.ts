import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { decodeEdxml } from '../edxml/codec.ts';
import type { Poller, PollSink, Sender } from '../kit/adapter.ts';
import { kindContext, openSender } from '../kit/kind-context.ts';
import type { Transport } from '../kit/transport.ts';
import { vdxpAdapter } from './adapter.ts';
import { createVdxpPoller, type VdxpPollerOptions } from './poller.ts';
import { startAxisSimulator, type AxisSimulator } from './simulator.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../edxml/fixtures/${name}`, import.meta.url));
const HUB_ORGAN = '000.00.00.H49';

function manifest(baseUrl: string, secret = 'secret'): ConnectorManifest {
  return {
    id: 'qn-vdxp',
    agency: HUB_ORGAN,
    kind: 'vdxp',
    subscriptions: [{ type: 'vn.gov.document.sent' }],
    delivery: {
      timeoutMs: 2000,
      retrySchedule: ['1s'],
      maxInFlight: 1,
      mode: 'structured',
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1000 },
      signatureVersions: ['v1', 'v2'],
    },
    settings: { baseUrl, systemId: 'lgsp-h49', secret },
  };
}

/** An in-memory sink; `gate` (when set) holds `accept` until it resolves; `failures` makes the next N accepts throw. */
class MemorySink implements PollSink {
  readonly accepted: CloudEvent[][] = [];
  readonly rejected: { reason: string; original: Buffer }[] = [];
  acceptCalls = 0;
  failures = 0;
  gate: Promise<void> | undefined;
  async accept(events: readonly CloudEvent[]): Promise<void> {
    this.acceptCalls += 1;
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('Kafka unreachable');
    }
    this.accepted.push([...events]);
  }
  async reject(reason: string, original: Buffer): Promise<void> {
    this.rejected.push({ reason, original });
  }

  readonly errors: Error[] = [];
  error(err: Error): void {
    this.errors.push(err);
  }
}

const HUB = { signingKey: 'not-used-by-vdxp' };

let sim: AxisSimulator | undefined;
let poller: Poller | undefined;
let sender: Sender | undefined;
let transport: Transport | undefined;
afterEach(async () => {
  await poller?.stop();
  await transport?.close();
  await sender?.close();
  await sim?.close();
  sim = undefined;
  poller = undefined;
  sender = undefined;
  transport = undefined;
});

/** A poller of `m` in the context the hub would give it (the test closes its transport). */
function pollerOf(m: ConnectorManifest, sink: PollSink, options: VdxpPollerOptions): Poller {
  const ctx = kindContext(vdxpAdapter, m, HUB);
  transport = ctx.transport;
  return createVdxpPoller(m, ctx, sink, options);
}

describe('vdxp poller', () => {
  it('accepts deposited packages in order and acknowledges each done after accept', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    const a = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'));
    const b = sim.deposit(HUB_ORGAN, fixture('status-accepted.xml'), { messagetype: 'status' });
    const other = sim.deposit('000.00.15.H49', fixture('document-sent.xml'));
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('both acknowledged', () => sim!.status(a) === 'done' && sim!.status(b) === 'done');
    expect(sink.accepted).toEqual([decodeEdxml(fixture('document-sent.xml')), decodeEdxml(fixture('status-accepted.xml'))]);
    expect(sim.status(other)).toBe('pending');
    expect(sink.rejected).toEqual([]);
  });

  it('rejects a malformed package with its original bytes and acknowledges it fail', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    const bad = sim.deposit(HUB_ORGAN, fixture('invalid-malformed.xml'));
    const good = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'));
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('both acknowledged', () => sim!.status(bad) === 'fail' && sim!.status(good) === 'done');
    expect(sink.rejected).toHaveLength(1);
    expect(sink.rejected[0]?.original.equals(fixture('invalid-malformed.xml'))).toBe(true);
    expect(sink.rejected[0]?.reason).toMatch(/^edxml-malformed at \//);
    expect(sink.accepted).toHaveLength(1);
  });

  it('refuses a package whose From is not the sender the axis lists, keeping its bytes, and acknowledges it fail', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    // Someone with an account on the axis (here the Ministry of Justice) sends as the People's Committee.
    const spoofed = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'), { from: '000.00.00.G15' });
    const honest = sim.deposit(HUB_ORGAN, fixture('status-accepted.xml'), { messagetype: 'status' });
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('both acknowledged', () => sim!.status(spoofed) === 'fail' && sim!.status(honest) === 'done');
    expect(sink.rejected.map((r) => [r.reason, r.original.equals(fixture('document-sent.xml'))])).toEqual([
      [
        `sender mismatch: the axis lists package ${spoofed} as sent by 000.00.00.G15, but its From/OrganId is 000.00.00.H49; a package in another organ's name is refused. Ask 000.00.00.G15 to send as itself.`,
        true,
      ],
    ]);
    expect(sink.accepted).toEqual([decodeEdxml(fixture('status-accepted.xml'))]);
  });

  it('declares relayFor as agency codes in its settings', () => {
    const m = manifest('http://127.0.0.1:9');
    const ctx = kindContext(vdxpAdapter, { ...m, settings: { ...m.settings, relayFor: ['000.00.00.G22'] } }, HUB);
    transport = ctx.transport;
    expect(ctx.settings.relayFor).toEqual(['000.00.00.G22']);
    expect(() => kindContext(vdxpAdapter, { ...m, settings: { ...m.settings, relayFor: ['G22'] } }, HUB)).toThrow(
      /settings\.relayFor\.0: Expected string to match/,
    );
  });

  it('acknowledges nothing when accept throws, and the next round delivers in order', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    sink.failures = 1;
    const errors: Error[] = [];
    const a = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'));
    const b = sim.deposit(HUB_ORGAN, fixture('document-revoked.xml'));
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20, onError: (e) => errors.push(e) });
    poller.start();
    await waitFor('both acknowledged', () => sim!.status(a) === 'done' && sim!.status(b) === 'done');
    expect(errors.map((e) => e.message)).toEqual(['Kafka unreachable']);
    expect(sim.requests.updateStatus).toBe(2); // never for the failed accept
    expect(sink.accepted.map((events) => events[0]?.type)).toEqual(['vn.gov.document.sent', 'vn.gov.document.revoked']);
  });

  it('stop() lets the package in progress finish, starts no other, then resolves', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    let release = (): void => {};
    sink.gate = new Promise((resolve) => (release = resolve));
    const a = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'));
    const b = sim.deposit(HUB_ORGAN, fixture('status-accepted.xml'));
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('accept called', () => sink.acceptCalls === 1);
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect([sim.status(a), sim.status(b), sink.acceptCalls]).toEqual(['done', 'pending', 1]);
  });

  it('after a lost acknowledgement the package is fetched again with the same event ids', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    const a = sim.deposit(HUB_ORGAN, fixture('document-sent.xml'));
    sim.holdAcknowledgements(true);
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('acknowledgement held', () => sim!.requests.updateStatus === 1);
    expect(sim.status(a)).toBe('pending');
    await sim.close(); // the acknowledgement is lost with its connection
    expect(sim.status(a)).toBe('pending');
    await sim.restart();
    await waitFor('acknowledged after a second fetch', () => sim!.status(a) === 'done');
    expect(sink.accepted).toHaveLength(2);
    expect(sink.accepted[1]?.map((e) => e.id)).toEqual(sink.accepted[0]?.map((e) => e.id));
  });
});

describe('vdxp inbound: packages as other hubs wrap them', () => {
  const corpus = (name: string): Buffer => readFileSync(new URL(`../../test/corpus/edxml/${name}`, import.meta.url));
  const MULTIPART = 'multipart/related; type="text/xml"; boundary="MIMEBoundary_lgsp_corpus_08"; start="<root.message@lgsp.corpus>"';

  it('decodes a pushed SOAP envelope and a SOAP-with-attachments body, keeping each source (a relay)', () => {
    const m = manifest('http://127.0.0.1:9');
    const soap = vdxpAdapter.decode!({ contentType: 'text/xml; charset=utf-8', headers: {}, body: corpus('07-soap-envelope.xml') }, m);
    expect(soap.map((e) => [e.type, e.source])).toEqual([['vn.gov.document.sent', 'urn:lgsp:agency:000.00.00.G22']]);
    const mime = vdxpAdapter.decode!({ contentType: MULTIPART, headers: {}, body: corpus('08-soap-with-attachments.mime') }, m);
    expect((mime[0]?.data.attachments as { name: string }[]).map((a) => a.name)).toEqual(['2045-SYT-NVY.pdf', 'Phụ lục.txt']);
  });

  it('polls a multipart/related package from the axis (no content type: the body is sniffed)', async () => {
    sim = await startAxisSimulator();
    const sink = new MemorySink();
    const docId = sim.deposit(HUB_ORGAN, corpus('08-soap-with-attachments.mime'));
    poller = pollerOf(manifest(sim.url), sink, { intervalMs: 20 });
    poller.start();
    await waitFor('the multipart package acknowledged done', () => sim!.status(docId) === 'done');
    expect(sink.accepted[0]?.map((e) => e.id)).toEqual(['000.00.16.H49,2025/09/15,2045/SYT-NVY']);
  });

  it('refuses an altered signature only when the connector says so', () => {
    const altered = { contentType: 'application/xml', headers: {}, body: corpus('06-signed-altered.xml') };
    const lenient = manifest('http://127.0.0.1:9');
    expect((vdxpAdapter.decode!(altered, lenient)[0]?.data.edxml as { signature: { status: string } }).signature.status).toBe('invalid');
    const strict = { ...lenient, settings: { ...lenient.settings, refuseInvalidSignatures: true } };
    expect(() => vdxpAdapter.decode!(altered, strict)).toThrow(/edxml-signature-invalid/);
  });
});

describe('vdxp sender', () => {
  it('sends a document and a status with sendEdoc; the axis decodes them equal', async () => {
    sim = await startAxisSimulator();
    sender = openSender(vdxpAdapter, manifest(sim.url), HUB)!;
    const [document] = decodeEdxml(fixture('document-sent.xml'));
    const [status] = decodeEdxml(fixture('status-accepted.xml'));
    expect(await sender.deliver({ event: document!, hubId: 'hub-1', attempt: 1 })).toEqual({ outcome: 'delivered', status: 200 });
    expect(await sender.deliver({ event: status!, hubId: 'hub-2', attempt: 1 })).toEqual({ outcome: 'delivered', status: 200 });
    const sent = sim.sent();
    expect(sent.map((s) => s.events)).toEqual([[document], [status]]);
    expect(sent.map((s) => [s.header.from, s.header.servicetype, s.header.messagetype])).toEqual([
      [HUB_ORGAN, 'eDoc', 'edoc'],
      [HUB_ORGAN, 'eDoc', 'status'],
    ]);
  });

  it('classifies 503 as retry (Retry-After kept), wrong credentials as refused', async () => {
    sim = await startAxisSimulator();
    sender = openSender(vdxpAdapter, manifest(sim.url), HUB)!;
    const [document] = decodeEdxml(fixture('document-sent.xml'));
    sim.faults.set({ kind: 'error', status: 503, retryAfterSeconds: 3, times: 1 });
    expect(await sender.deliver({ event: document!, hubId: 'hub-1', attempt: 1 })).toMatchObject({
      outcome: 'retry',
      failure: 'http-status',
      status: 503,
      retryAfterMs: 3000,
    });
    const wrong = openSender(vdxpAdapter, manifest(sim.url, 'wrong'), HUB)!;
    expect(await wrong.deliver({ event: document!, hubId: 'hub-1', attempt: 2 })).toMatchObject({
      outcome: 'refused',
      failure: 'http-status',
      status: 401,
      response: { status: 'FAIL', errorCode: 'AUTH_FAILED' },
    });
    await wrong.close();
    expect(sim.sent()).toEqual([]);
  });

  it('retries when the axis is down', async () => {
    sim = await startAxisSimulator();
    sender = openSender(vdxpAdapter, manifest(sim.url), HUB)!;
    const [document] = decodeEdxml(fixture('document-sent.xml'));
    await sim.close();
    expect(await sender.deliver({ event: document!, hubId: 'hub-1', attempt: 1 })).toMatchObject({
      outcome: 'retry',
      failure: 'connection',
      reason: expect.stringMatching(/^connection error/),
    });
  });
});
