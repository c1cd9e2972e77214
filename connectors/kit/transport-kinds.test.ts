/**
 * The kit transport's guarantees, proven for every kind that sends, through the kind's own sender
 * (opened as the hub opens it) against its real simulator on 127.0.0.1: a redirect is not followed
 * and nothing reaches the redirect target; an oversized answer is cut and classified; a slow system
 * runs out the attempt's one deadline (dvcqg: a login and a call each under it, their sum over it);
 * mutual TLS works with the client certificate and fails, typed, without it. Real sockets, no mocks.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet, type ConnectorManifest } from '../../src/contract/schema-set.ts';
import { makeTestCertificates, type TestCertificates } from '../../test/helpers/tls-certs.ts';
import { dvcqgAdapter } from '../dvcqg/adapter.ts';
import { startPortalSimulator } from '../dvcqg/simulator.ts';
import { edxmlAdapter } from '../edxml/adapter.ts';
import { decodeEdxml } from '../edxml/codec.ts';
import { startEofficeSimulator } from '../edxml/simulator.ts';
import { vdxpAdapter } from '../vdxp/adapter.ts';
import { startAxisSimulator } from '../vdxp/simulator.ts';
import { webhookAdapter } from '../webhook/adapter.ts';
import { startWebhookSimulator } from '../webhook/simulator.ts';
import type { ConnectorAdapter, Sender } from './adapter.ts';
import { RESPONSE_EXCERPT_BYTES } from './classify.ts';
import { startRecordingServer, type FaultPlan, type RecordingServer, type SimulatorTls } from './faults.ts';
import { openSender } from './kind-context.ts';
import { signingKeyOf } from './signature.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from './transport.ts';

const SIGNING_KEY = signingKeyOf('qn-transport.0123456789abcdef');
const edxmlFixture = (name: string): Buffer => readFileSync(new URL(`../edxml/fixtures/${name}`, import.meta.url));
const jsonFixture = (path: string): CloudEvent => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as CloudEvent;

/** A started simulator as these tests need it. */
interface Target {
  readonly url: string;
  readonly faults: FaultPlan;
  /** Manifest `endpoint` or `settings` pointing at it. */
  readonly endpoint?: string;
  readonly settings?: Record<string, unknown>;
  /** Requests the system got (faulted ones included). */
  seen(): number;
  close(): Promise<void>;
}

interface KindCase {
  readonly adapter: ConnectorAdapter;
  readonly event: () => CloudEvent;
  readonly start: (schemas: SchemaSet, tls?: SimulatorTls) => Promise<Target>;
  /** True when the kind must parse a 2xx answer (then one over the cap is a `retry`, `too-large`). */
  readonly parsesAnswers: boolean;
}

const KINDS: readonly KindCase[] = [
  {
    adapter: webhookAdapter,
    event: () => jsonFixture('../webhook/fixtures/binary-document-sent.json'),
    parsesAnswers: false,
    start: async (schemas, tls) => {
      const sim = await startWebhookSimulator({ signingKey: SIGNING_KEY, schemas, ...(tls ? { tls } : {}) });
      return { url: sim.url, faults: sim.faults, endpoint: sim.endpoint, seen: () => sim.attempts, close: () => sim.close() };
    },
  },
  {
    adapter: edxmlAdapter,
    event: () => decodeEdxml(edxmlFixture('status-accepted.xml'))[0]!,
    parsesAnswers: false,
    start: async (schemas, tls) => {
      const sim = await startEofficeSimulator({ schemas, ...(tls ? { tls } : {}) });
      return { url: sim.url, faults: sim.faults, endpoint: sim.endpoint, seen: () => sim.counts.total, close: () => sim.close() };
    },
  },
  {
    adapter: dvcqgAdapter,
    event: () => jsonFixture('../dvcqg/fixtures/dossier-status-event-minimal.json'),
    parsesAnswers: true,
    start: async (_schemas, tls) => {
      const sim = await startPortalSimulator({ password: 'portal-password-1', ...(tls ? { tls } : {}) });
      const settings = { adapterUrl: sim.url, username: 'lgsp', password: 'portal-password-1', dstcode: 'H49', madonvi: '000.00.00.H49' };
      return { url: sim.url, faults: sim.faults, settings, seen: () => sim.requests.total, close: () => sim.close() };
    },
  },
  {
    adapter: vdxpAdapter,
    event: () => decodeEdxml(edxmlFixture('document-sent.xml'))[0]!,
    parsesAnswers: true,
    start: async (schemas, tls) => {
      const sim = await startAxisSimulator({ secret: 'axis-secret-1', schemas, ...(tls ? { tls } : {}) });
      const settings = { baseUrl: sim.url, systemId: 'lgsp-h49', secret: 'axis-secret-1' };
      return { url: sim.url, faults: sim.faults, settings, seen: () => sim.requests.sendEdoc, close: () => sim.close() };
    },
  },
];

let schemas: SchemaSet;
let certs: TestCertificates;
let recorder: RecordingServer;
beforeAll(async () => {
  [schemas, certs, recorder] = await Promise.all([SchemaSet.load(), makeTestCertificates(), startRecordingServer()]);
});
afterAll(async () => recorder.close());

it('covers every kind that sends', () => {
  const kinds = [webhookAdapter, edxmlAdapter, dvcqgAdapter, vdxpAdapter].filter((a) => a.createSender).map((a) => a.kind);
  expect(KINDS.map((k) => k.adapter.kind)).toEqual(kinds);
});

describe.each(KINDS)('the $adapter.kind sender through the kit transport', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function started(tls?: SimulatorTls): Promise<Target> {
    const target = await kind.start(schemas, tls);
    cleanups.push(() => target.close());
    return target;
  }

  function sender(target: Target, timeoutMs: number, extraSettings: Record<string, unknown> = {}): Sender {
    const settings = { ...target.settings, ...extraSettings };
    const { manifest, issues } = schemas.validateConnector({
      id: `qn-${kind.adapter.kind}-transport`,
      agency: '000.00.00.H49',
      kind: kind.adapter.kind,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      delivery: { timeoutMs },
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
    expect(issues).toEqual([]);
    const s = openSender(kind.adapter, manifest as ConnectorManifest, { signingKey: SIGNING_KEY })!;
    cleanups.push(() => s.close());
    return s;
  }

  const deliver = (s: Sender, hubId = 'hub-transport-1') => s.deliver({ event: kind.event(), hubId, attempt: 1 });

  it('does not follow a redirect: refused, and the other server gets nothing (no secret, no signature, no body)', async () => {
    const target = await started();
    const before = recorder.requests.length;
    target.faults.set({ kind: 'redirect', status: 307, location: `${recorder.url}/steal` });
    const outcome = await deliver(sender(target, 2000));
    expect(outcome).toMatchObject({ outcome: 'refused', failure: 'redirect', status: 307, reason: expect.stringContaining(`${recorder.url}/steal`) });
    expect(target.faults.applied).toBe(1); // the first request (a login for dvcqg) was the only one
    expect(recorder.requests.slice(before)).toEqual([]);
  });

  it(`cuts an oversized answer at ${DEFAULT_MAX_RESPONSE_BYTES} bytes and classifies it`, async () => {
    const target = await started();
    const s = sender(target, 5000);
    const bytes = 8 * DEFAULT_MAX_RESPONSE_BYTES;

    target.faults.set({ kind: 'oversize', status: 200, bytes, times: 1 });
    const ok = await deliver(s, 'hub-oversize-1');
    if (kind.parsesAnswers) expect(ok).toMatchObject({ outcome: 'retry', failure: 'too-large', status: 200 });
    else expect(ok).toEqual({ outcome: 'delivered', status: 200 }); // the status decides; the body is not read on

    target.faults.set({ kind: 'oversize', status: 503, bytes, times: 1 });
    const failed = await deliver(s, 'hub-oversize-2');
    expect(failed).toMatchObject({ outcome: 'retry', failure: 'http-status', status: 503 });
    const response = JSON.stringify((failed as { response?: unknown }).response);
    expect(response.length).toBeLessThan(RESPONSE_EXCERPT_BYTES + 200);

    await expect.poll(() => target.faults.cut).toBe(2); // the transport hung up on both: never read to the end
  });

  it('a slow system runs out the attempt deadline: retry, typed timeout', async () => {
    const target = await started();
    const timeoutMs = 600;
    const s = sender(target, timeoutMs);
    // dvcqg: the login and the call each answer within the deadline, their sum does not.
    const delayMs = kind.adapter.kind === 'dvcqg' ? 400 : 900;
    target.faults.set({ kind: 'slow', delayMs, times: 2 });
    const started_ = Date.now();
    const outcome = await deliver(s);
    const took = Date.now() - started_;
    expect(outcome).toEqual({ outcome: 'retry', failure: 'timeout', reason: `timeout after ${timeoutMs} ms` });
    expect(took).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(took).toBeLessThan(timeoutMs + 300);
    if (kind.adapter.kind === 'dvcqg') expect(target.seen()).toBe(2); // login answered, then the call
  });

  it('speaks mutual TLS with the client certificate, and fails typed without it', async () => {
    const tls = { key: certs.server.key, cert: certs.server.cert, clientCa: certs.ca };
    const target = await started(tls);
    expect(target.url).toMatch(/^https:\/\/127\.0\.0\.1:/);

    const withCert = sender(target, 3000, { tlsCa: certs.ca, tlsClientCert: certs.client.cert, tlsClientKey: certs.client.key });
    expect(await deliver(withCert)).toMatchObject({ outcome: 'delivered' });

    const withoutCert = sender(target, 3000, { tlsCa: certs.ca });
    const refused = await deliver(withoutCert, 'hub-transport-2');
    expect(refused).toMatchObject({
      outcome: 'retry',
      failure: 'tls',
      reason: expect.stringMatching(/^(login: )?TLS error: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED$/),
    });

    const untrusted = sender(target, 3000); // the system's roots do not know the test CA
    expect(await deliver(untrusted, 'hub-transport-3')).toMatchObject({ outcome: 'retry', failure: 'tls' });
  });
});
