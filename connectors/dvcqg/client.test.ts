import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { createTransport, type Transport } from '../kit/transport.ts';
import { DvcqgClient } from './client.ts';
import { PORTAL_ERROR } from './error-codes.ts';
import { DvcqgMappingError } from './errors.ts';
import { fromDongBoHoSoMC, toDongBoHoSoMC } from './mapping.ts';
import type { DvcqgSettings } from './settings.ts';
import { startPortalSimulator, type PortalSimulator } from './simulator.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const fullEvent = fixture('dossier-status-event.json') as CloudEvent;
const minimalEvent = fixture('dossier-status-event-minimal.json') as CloudEvent;

const TIMEOUT_MS = 400;

describe('DvcqgClient against the simulated portal (real HTTP on 127.0.0.1)', () => {
  let sim: PortalSimulator;
  let client: DvcqgClient;
  const transports: Transport[] = [];

  function makeClient(overrides: Partial<DvcqgSettings> = {}): DvcqgClient {
    const transport = createTransport();
    transports.push(transport);
    const settings = { adapterUrl: sim.url, username: 'lgsp', password: 'secret', dstcode: 'H49', madonvi: '000.00.00.H49', ...overrides };
    return new DvcqgClient(settings, transport, TIMEOUT_MS);
  }

  beforeEach(async () => {
    sim = await startPortalSimulator();
    client = makeClient();
  });

  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
    await sim.close();
  });

  it('logs in once, delivers the dossier and its progress, then reuses the session', async () => {
    expect(await client.deliver(fullEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.dossiers()).toEqual(toDongBoHoSoMC(fullEvent, { madonvi: 'x' }).data);
    expect(sim.progress()).toHaveLength(1);
    expect(sim.progress()[0]).toMatchObject({ MaHoSo: 'H49.31-250715-0001', NguoiXuLy: 'Phạm Thu Trang' });
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.requests).toMatchObject({ auth: 1, integration: 3 });
  });

  it('logs in again once when the session expired, for all concurrent callers', async () => {
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    sim.expireSessions();
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => client.deliver(minimalEvent)));
    expect(outcomes).toEqual(Array(5).fill({ outcome: 'delivered' }));
    expect(sim.requests.auth).toBe(2);
    expect(sim.dossiers()).toHaveLength(6);
  });

  it('wrong credentials: refused with the portal answer', async () => {
    const outcome = await makeClient({ password: 'wrong' }).deliver(minimalEvent);
    expect(outcome).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('AUTH_FAILED'),
      response: { status: 200, body: { error_code: PORTAL_ERROR.AUTH_FAILED } },
    });
    expect(sim.requests.integration).toBe(0);
  });

  it('bad data: the portal refuses it, permanently', async () => {
    const body = toDongBoHoSoMC(minimalEvent, { madonvi: 'H49' });
    const bad = { ...body, data: body.data.map((d) => ({ ...d, NgayTiepNhan: '2025-07-15T08:30:00' })) };
    const outcome = await client.send(bad);
    expect(outcome).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('INVALID_DATA'),
      response: { body: { error_code: PORTAL_ERROR.INVALID_DATA, message: expect.stringContaining('NgayTiepNhan') } },
    });
    expect(sim.dossiers()).toEqual([]);
  });

  it('an event that cannot be mapped throws before any call', async () => {
    const bad = { ...minimalEvent, data: { ...minimalEvent.data, statusCode: 11 } };
    await expect(client.deliver(bad)).rejects.toBeInstanceOf(DvcqgMappingError);
    expect(sim.requests.total).toBe(0);
  });

  it('503 with Retry-After: retry after the given delay, with the status and the answer for the dead letter', async () => {
    sim.faults.set({ kind: 'error', status: 503, retryAfterSeconds: 2, times: 1 });
    expect(await client.deliver(minimalEvent)).toEqual({
      outcome: 'retry', failure: 'http-status', reason: 'login: HTTP 503', retryAfterMs: 2000, status: 503, response: { status: 503, body: { error: 'simulated fault' } },
    });
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
  });

  it('429 is retried, another 4xx is refused (at login too)', async () => {
    sim.faults.set({ kind: 'error', status: 429, times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({ outcome: 'retry', failure: 'http-status', reason: 'login: HTTP 429', status: 429 });
    sim.faults.set({ kind: 'reject', status: 404, body: { message: 'Not Found' }, times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({ outcome: 'refused', failure: 'http-status', status: 404, response: { status: 404, body: { message: 'Not Found' } } });
  });

  it('a 4xx on the integration call is refused with the response', async () => {
    await client.deliver(minimalEvent); // log in first: the fault then hits the integration call
    sim.faults.set({ kind: 'reject', status: 413, body: { message: 'Payload Too Large' }, times: 1 });
    expect(await client.deliver(minimalEvent)).toEqual({
      outcome: 'refused',
      failure: 'http-status',
      reason: 'HTTP 413',
      status: 413,
      response: { status: 413, body: { message: 'Payload Too Large' } },
    });
  });

  it('a busy portal (error_code 5) is retried', async () => {
    await client.deliver(minimalEvent); // log in first: the fault then hits the integration call
    sim.faults.set({ kind: 'reject', status: 200, body: { error_code: PORTAL_ERROR.TEMPORARILY_UNAVAILABLE, message: 'Hệ thống bận' }, times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({
      outcome: 'retry', failure: 'application', reason: expect.stringContaining('TEMPORARILY_UNAVAILABLE'), status: 200, response: { status: 200, body: { error_code: PORTAL_ERROR.TEMPORARILY_UNAVAILABLE } },
    });
  });

  it('a hanging portal: retry after the timeout', async () => {
    sim.faults.set({ kind: 'hang' });
    const started = Date.now();
    const outcome = await client.deliver(minimalEvent);
    expect(outcome).toEqual({ outcome: 'retry', failure: 'timeout', reason: `timeout after ${TIMEOUT_MS} ms` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    sim.faults.clear();
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
  });

  it('a reset connection is retried', async () => {
    sim.faults.set({ kind: 'refuse', times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({ outcome: 'retry', failure: 'connection', reason: expect.stringMatching(/^login: connection error/) });
  });

  it('the portal down: connection refused is retried; back on its port, delivery resumes', async () => {
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    await sim.close();
    expect(await client.deliver(minimalEvent)).toMatchObject({ outcome: 'retry', failure: 'connection', reason: expect.stringMatching(/^connection error: (ECONNREFUSED|ECONNRESET)/) });
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'retry', failure: 'connection', reason: 'connection error: ECONNREFUSED' });
    await sim.restart();
    // The simulator keeps its state across a restart: same session, the dossiers received before.
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.requests.auth).toBe(1);
    expect(sim.dossiers()).toHaveLength(2);
  });

  it('carries inbound portal bodies through the hub format back to the portal unchanged', async () => {
    const native = fixture('dong-bo-ho-so-mc.json') as { data: Record<string, unknown>[] };
    for (const event of fromDongBoHoSoMC(native, { agency: '000.00.00.H49' })) {
      expect(await client.deliver(event)).toEqual({ outcome: 'delivered' });
    }
    const carried = ['MaHoSo', 'MaTTHC', 'TenTTHC', 'ChuHoSo', 'NgayTiepNhan', 'NgayHenTra', 'NgayKetThucXuLy', 'DonViXuLy'];
    const pick = (d: Record<string, unknown>) => Object.fromEntries(carried.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]));
    expect(sim.dossiers().map((d) => pick({ ...d }))).toEqual(native.data.map(pick));
    expect(sim.dossiers().map((d) => d.TrangThaiHoSo)).toEqual(['10', '4']);
  });

  it('uses the configured paths', async () => {
    await sim.close();
    sim = await startPortalSimulator({ authPath: '/api/v1/login', integrationPath: '/api/v1/sync' });
    const c = makeClient({ authPath: '/api/v1/login', integrationPath: '/api/v1/sync' });
    expect(await c.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.requests).toMatchObject({ auth: 1, integration: 1 });
  });
});

