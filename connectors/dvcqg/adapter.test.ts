import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet, type ConnectorManifest } from '../../src/contract/schema-set.ts';
import { AdapterError, type Sender } from '../kit/adapter.ts';
import { openSender } from '../kit/kind-context.ts';
import { dvcqgAdapter } from './adapter.ts';
import { PORTAL_ERROR } from './error-codes.ts';
import { startPortalSimulator, type PortalSimulator } from './simulator.ts';

const fixtureText = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const minimalEvent = JSON.parse(fixtureText('dossier-status-event-minimal.json')) as CloudEvent;
const SETTINGS = { username: 'lgsp', password: 'secret', dstcode: 'H49', madonvi: '000.00.00.H49' };
const HUB = { signingKey: 'not-used-by-dvcqg' };

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

function manifest(settings: Record<string, unknown>): ConnectorManifest {
  const { manifest: m, issues } = schemas.validateConnector({
    id: 'dvcqg-national',
    agency: '000.00.00.H49',
    kind: 'dvcqg',
    delivery: { timeoutMs: 400 },
    settings,
  });
  expect(issues).toEqual([]);
  return m!;
}

const inbound = (body: string) => ({ contentType: 'application/json', body: Buffer.from(body, 'utf8'), headers: {} });

describe('dvcqg settingsSchema', () => {
  it('compiles in strict mode and requires what the client needs', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajvFormats.default(ajv);
    const validate = ajv.compile(dvcqgAdapter.settingsSchema);
    expect(validate({ adapterUrl: 'https://dichvucong.gov.vn/adapter', ...SETTINGS, authPath: '/auth' })).toBe(true);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, madonvi: undefined })).toBe(false);
    expect(validate({ adapterUrl: 'ftp://x.vn', ...SETTINGS })).toBe(false);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, token: 'x' })).toBe(false);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, authPath: 'auth' })).toBe(false);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, statusTable: { '4': '40', '10': '15' }, isUpdatingAs: 'boolean' })).toBe(true);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, statusTable: { '11': '11' } })).toBe(false);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, statusTable: { '4': 'Đang xử lý' } })).toBe(false);
    expect(validate({ adapterUrl: 'https://x.vn', ...SETTINGS, isUpdatingAs: 'yes' })).toBe(false);
  });
});

describe('dvcqg sender against the simulated portal (real HTTP)', () => {
  let sim: PortalSimulator;
  let sender: Sender;
  const deliver = (attempt = 1) => sender.deliver({ event: minimalEvent, hubId: 'hub-1', attempt });

  beforeEach(async () => {
    sim = await startPortalSimulator();
    sender = openSender(dvcqgAdapter, manifest({ adapterUrl: sim.url, ...SETTINGS }), HUB)!;
  });
  afterEach(async () => {
    await sender.close();
    await sim.close();
  });

  it('delivers a dossier status', async () => {
    expect(await deliver()).toEqual({ outcome: 'delivered' });
    expect(sim.dossiers()).toEqual([expect.objectContaining({ MaHoSo: 'H49-250715-0107', TrangThaiHoSo: '2', TenTTHC: 'Cấp giấy phép kinh doanh' })]);
  });

  it('a portal refusal is refused with its answer', async () => {
    await sender.close();
    sender = openSender(dvcqgAdapter, manifest({ adapterUrl: sim.url, ...SETTINGS, password: 'wrong' }), HUB)!;
    expect(await deliver()).toMatchObject({ outcome: 'refused', response: { body: { error_code: PORTAL_ERROR.AUTH_FAILED } } });
  });

  it('a 503 is a retry honouring Retry-After; the next attempt delivers', async () => {
    sim.faults.set({ kind: 'error', status: 503, retryAfterSeconds: 3, times: 1 });
    expect(await deliver(1)).toEqual({
      outcome: 'retry',
      failure: 'http-status',
      reason: 'login: HTTP 503',
      retryAfterMs: 3000,
      status: 503,
      response: { status: 503, body: { error: 'simulated fault' } },
    });
    expect(await deliver(2)).toEqual({ outcome: 'delivered' });
  });

  it('an unmappable event is adapter-encode-failed with the field pointer, before any call', async () => {
    const bad = { ...minimalEvent, data: { ...minimalEvent.data, statusCode: 11 } };
    await expect(sender.deliver({ event: bad, hubId: 'hub-2', attempt: 1 })).rejects.toMatchObject({
      name: 'AdapterError',
      code: 'adapter-encode-failed',
      path: '/data/statusCode',
    });
    expect(sim.requests.total).toBe(0);
  });
});

describe('dvcqg decode', () => {
  const connector = { agency: '000.00.00.H49' } as ConnectorManifest;

  it('turns the fixture into valid dossier status events from the connector agency', () => {
    const events = dvcqgAdapter.decode!(inbound(fixtureText('dong-bo-ho-so-mc.json')), connector);
    expect(events.map((e) => e.subject)).toEqual(['H49.31-250715-0001', 'H49.31-250715-0002']);
    for (const event of events) {
      expect(event).toMatchObject({ source: 'urn:lgsp:agency:000.00.00.H49', type: 'vn.gov.dossier.status', to: 'national' });
      expect(schemas.validateEnvelope(event)).toEqual([]);
      expect(schemas.validateData(event.type, event.data)).toEqual([]);
    }
    expect(events[0]?.data).toMatchObject({ applicant: { name: 'Nguyễn Thị Hoà', type: 1 }, statusCode: 10 });
  });

  it('refuses non-JSON, another service, and bad fields, with the pointer', () => {
    const failure = (body: string): AdapterError => {
      try {
        dvcqgAdapter.decode!(inbound(body), connector);
      } catch (err) {
        expect(err).toBeInstanceOf(AdapterError);
        return err as AdapterError;
      }
      throw new Error('expected an AdapterError');
    };
    expect(failure('{"data": [')).toMatchObject({ code: 'adapter-decode-failed', path: '' });
    expect(failure('{"service": "CapNhatTienDoHoSoMC", "data": []}')).toMatchObject({ path: '/service' });
    const body = JSON.parse(fixtureText('dong-bo-ho-so-mc.json')) as { data: Record<string, unknown>[] };
    body.data[1]!.NgayTiepNhan = '2025-07-15';
    expect(failure(JSON.stringify(body))).toMatchObject({ code: 'adapter-decode-failed', path: '/data/1/NgayTiepNhan' });
  });
});
