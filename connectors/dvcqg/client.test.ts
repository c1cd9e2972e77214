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

  it('logs in once, looks the procedure and the dossier up, delivers the dossier and its progress, then reuses the session', async () => {
    expect(await client.deliver(fullEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.dossiers()).toEqual(toDongBoHoSoMC(fullEvent).data.map((d) => ({ ...d, TenLinhVuc: 'Hộ tịch' })));
    expect(sim.progress()).toEqual([expect.objectContaining({ MaHoSo: 'H49.31-250715-0001', NguoiXuLy: 'Phạm Thu Trang', TrangThai: '10' })]);
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.calls().map((c) => c.service)).toEqual([
      'login',
      'LayThuTuc',
      'TraCuuHoSo',
      'DongBoHoSoMC',
      'CapNhatTienDoHoSoMC',
      'LayThuTuc',
      'TraCuuHoSo',
      'DongBoHoSoMC',
    ]);
    expect(sim.calls().every((c) => c.dstcode === 'H49')).toBe(true); // dstcode on every request, not only at login
    expect(sim.requests).toMatchObject({ auth: 1, integration: 7 });
  });

  it('isUpdating: "False" for a dossier the portal lacks, "True" once it holds it, decided by TraCuuHoSo and then cached', async () => {
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(await client.deliver({ ...minimalEvent, data: { ...minimalEvent.data, statusCode: 4 } })).toEqual({ outcome: 'delivered' });
    const syncs = sim.calls().filter((c) => c.service === 'DongBoHoSoMC');
    expect(syncs.map((c) => c.body.isUpdating)).toEqual(['False', 'True']);
    expect(
      sim
        .calls()
        .filter((c) => c.service === 'TraCuuHoSo')
        .map((c) => c.body),
    ).toEqual([expect.objectContaining({ mahoso: 'H49-250715-0107' })]);
    expect(
      sim
        .calls()
        .filter((c) => c.service === 'LayThuTuc')
        .map((c) => c.body.maTTHC),
    ).toEqual(['2.000889']);

    // Another client (another hub instance) finds the dossier at the portal: "True" from the start.
    expect(await makeClient().deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(
      sim
        .calls()
        .filter((c) => c.service === 'DongBoHoSoMC')
        .map((c) => c.body.isUpdating),
    ).toEqual(['False', 'True', 'True']);
  });

  it('asks TraCuuHoSo and LayThuTuc again once their cache time has passed', async () => {
    let now = Date.parse('2025-07-15T00:00:00Z');
    const transport = createTransport();
    transports.push(transport);
    const settings = {
      adapterUrl: sim.url,
      username: 'lgsp',
      password: 'secret',
      dstcode: 'H49',
      madonvi: '000.00.00.H49',
      knownDossierTtlSeconds: 60,
      procedureTtlSeconds: 120,
    };
    const c = new DvcqgClient(settings, transport, TIMEOUT_MS, { now: () => now });
    const lookups = () =>
      sim
        .calls()
        .filter((call) => call.service === 'TraCuuHoSo' || call.service === 'LayThuTuc')
        .map((call) => call.service);
    await c.deliver(minimalEvent);
    now += 59_000;
    await c.deliver(minimalEvent);
    expect(lookups()).toEqual(['LayThuTuc', 'TraCuuHoSo']); // a sync also renews the dossier's time: until 119 s
    now += 61_000;
    await c.deliver(minimalEvent);
    expect(lookups()).toEqual(['LayThuTuc', 'TraCuuHoSo', 'LayThuTuc', 'TraCuuHoSo']);
  });

  it('reads success written as "0" or "00" as well as 0', async () => {
    for (const code of ['0', '00', 0] as const) {
      sim.setSuccessCode(code);
      expect(await makeClient().deliver(fullEvent), String(code)).toEqual({ outcome: 'delivered' });
    }
    expect(
      sim
        .calls()
        .filter((c) => c.service === 'login')
        .map((c) => c.answer.error_code),
    ).toEqual(['0', '00', 0]);
  });

  it('logs in again on any refusal with a reused session, whatever its code (a session that expires after N calls)', async () => {
    await sim.close();
    sim = await startPortalSimulator({ codes: { sessionExpired: '-1' }, successCode: '00' });
    client = makeClient();
    sim.expireSessionsAfter(3);
    expect(await client.deliver(fullEvent)).toEqual({ outcome: 'delivered' }); // 4 calls: the 4th is refused "-1"
    expect(sim.calls().map((c) => `${c.service}:${String(c.answer.error_code)}`)).toEqual([
      'login:00',
      'LayThuTuc:00',
      'TraCuuHoSo:00',
      'DongBoHoSoMC:00',
      'CapNhatTienDoHoSoMC:-1',
      'login:00',
      'CapNhatTienDoHoSoMC:00',
    ]);
  });

  it('a session that expires at a time is renewed by the next delivery', async () => {
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    sim.expireSessionsAt(Date.now() - 1);
    const outcome = await client.deliver(minimalEvent);
    sim.expireSessionsAt(undefined);
    expect(outcome).toMatchObject({ outcome: 'retry', failure: 'application', reason: expect.stringContaining('SESSION_EXPIRED') });
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.requests.auth).toBe(3);
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
    const body = toDongBoHoSoMC(minimalEvent);
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
      outcome: 'retry',
      failure: 'http-status',
      reason: 'login: HTTP 503',
      retryAfterMs: 2000,
      status: 503,
      response: { status: 503, body: { error: 'simulated fault' } },
    });
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
  });

  it('429 is retried, another 4xx is refused (at login too)', async () => {
    sim.faults.set({ kind: 'error', status: 429, times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({ outcome: 'retry', failure: 'http-status', reason: 'login: HTTP 429', status: 429 });
    sim.faults.set({ kind: 'reject', status: 404, body: { message: 'Not Found' }, times: 1 });
    expect(await client.deliver(minimalEvent)).toMatchObject({
      outcome: 'refused',
      failure: 'http-status',
      status: 404,
      response: { status: 404, body: { message: 'Not Found' } },
    });
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

  it('a busy portal (error_code 5, also after a new login) is retried', async () => {
    await client.deliver(minimalEvent); // log in first: the answers then hit the integration call
    sim.answerNext('DongBoHoSoMC', { error_code: String(PORTAL_ERROR.TEMPORARILY_UNAVAILABLE), message: 'Hệ thống bận' }, 2);
    expect(await client.deliver(minimalEvent)).toMatchObject({
      outcome: 'retry',
      failure: 'application',
      reason: expect.stringContaining('TEMPORARILY_UNAVAILABLE'),
      status: 200,
      response: { status: 200, body: { error_code: '5' } },
    });
    expect(sim.requests.auth).toBe(2);
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
    expect(await client.deliver(minimalEvent)).toMatchObject({
      outcome: 'retry',
      failure: 'connection',
      reason: expect.stringMatching(/^login: connection error/),
    });
  });

  it('the portal down: connection refused is retried; back on its port, delivery resumes', async () => {
    expect(await client.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    await sim.close();
    expect(await client.deliver(minimalEvent)).toMatchObject({
      outcome: 'retry',
      failure: 'connection',
      reason: expect.stringMatching(/^connection error: (ECONNREFUSED|ECONNRESET)/),
    });
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
    const carried = [
      'MaHoSo',
      'MaTTHC',
      'TenTTHC',
      'SoBienNhan',
      'ChuHoSo',
      'MaDoiTuong',
      'TrichYeuHoSo',
      'NgayTiepNhan',
      'NgayHenTra',
      'NgayKetThucXuLy',
      'NgayTra',
      'DonViXuLy',
    ];
    const pick = (d: Record<string, unknown>) => Object.fromEntries(carried.filter((k) => d[k] !== undefined && d[k] !== '').map((k) => [k, d[k]]));
    expect(sim.dossiers().map((d) => pick({ ...d }))).toEqual(native.data.map(pick));
    expect(sim.dossiers().map((d) => d.TrangThaiHoSo)).toEqual(['10', '4']);
  });

  it('uses the configured paths', async () => {
    await sim.close();
    sim = await startPortalSimulator({ authPath: '/api/v1/login', integrationPath: '/api/v1/sync' });
    const c = makeClient({ authPath: '/api/v1/login', integrationPath: '/api/v1/sync' });
    expect(await c.deliver(minimalEvent)).toEqual({ outcome: 'delivered' });
    expect(sim.requests).toMatchObject({ auth: 1, integration: 3 });
  });
});
