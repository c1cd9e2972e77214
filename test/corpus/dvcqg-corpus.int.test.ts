/**
 * The portal corpus (test/corpus/dvcqg/, written by hand from domain/dvcqg.md, not by our encoder)
 * through a real hub and broker:
 * - one dossier synced through all ten statuses to the rewritten portal simulator, with a session
 *   that expires midway (refused with a string code our table does not know), success written as
 *   "0" and then "00", and every call the portal received checked field by field;
 * - the inbound DongBoHoSoMC bodies one-stop systems send, through `POST /v1/connectors/{id}/inbound`,
 *   accepted and carried on to the portal, and the bad ones refused with the failing field's pointer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSO_FIELDS, startPortalSimulator, TIENDO_FIELDS, type PortalCall, type PortalSimulator } from '../../connectors/dvcqg/simulator.ts';
import type { Hub } from '../../src/hub.ts';
import { FAST_RETRIES } from '../helpers/agencies.ts';
import { registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CORPUS = 'test/corpus/dvcqg';
const corpus = (dir: string): [string, Record<string, unknown>][] =>
  readdirSync(`${CORPUS}/${dir}`).sort().map((name) => [name, JSON.parse(readFileSync(`${CORPUS}/${dir}/${name}`, 'utf8')) as Record<string, unknown>]);
const answer = (name: string) => JSON.parse(readFileSync(`${CORPUS}/answers/${name}`, 'utf8')) as { error_code: string | number; message?: string };

const PORTAL_LOGIN = { username: 'lgsp-quangninh', password: 'portal-corpus-password', dstcode: 'H49' };
const NATIONAL = '000.00.00.G22';
const ONE_STOP = { id: 'qn-stp-motcua', agency: '000.00.15.H49' };
const DOSSIER = '000.00.15.H49-250801-0042';
const DATE = /^\d{14}$/;

let hub: Hub;
let portal: PortalSimulator;
let oneStopToken: string;

beforeAll(async () => {
  portal = await startPortalSimulator({ ...PORTAL_LOGIN, requireEveryField: true, successCode: '0', codes: { sessionExpired: answer('phien-het-han.json').error_code } });
  hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
  await seedSenders(hub.url);
  const settings = { adapterUrl: portal.url, ...PORTAL_LOGIN, madonvi: '000.00.00.H49' };
  await registerConnector(hub.url, {
    id: 'dvcqg-portal', agency: NATIONAL, kind: 'dvcqg',
    subscriptions: [{ type: 'vn.gov.dossier.status' }],
    delivery: { timeoutMs: 3_000, retrySchedule: [...FAST_RETRIES.schedule] },
    settings,
  });
  // A one-stop system that speaks the portal's JSON to the hub (inbound only: no subscriptions).
  oneStopToken = await registerConnector(hub.url, { ...ONE_STOP, kind: 'dvcqg', roles: ['one-stop'], settings: { ...settings, adapterUrl: 'http://127.0.0.1:9/unused' } });
});

afterAll(async () => {
  await hub?.close();
  await portal?.close();
});

/** The event of `status` for the corpus dossier, as a one-stop system sends it to the hub. */
function statusEvent(status: number): Record<string, unknown> {
  const at = (day: number, hour = 9) => `2025-08-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+07:00`;
  const finished = status >= 9 ? { finishedAt: at(8, 16), onTime: true } : {};
  const returned = status === 10 ? { returnedAt: at(11, 10) } : {};
  const progress = status === 4 || status === 10
    ? { progress: { handler: 'Vũ Thị Mai', position: 'Chuyên viên', handledAt: at(status === 4 ? 4 : 11, 10), department: 'Phòng Hành chính tư pháp', content: `Bước ${status}`, ...(status === 4 ? { startedAt: at(4, 8), dueAt: at(7, 17) } : {}), status: 'tên trạng thái nội bộ' } }
    : {};
  return {
    specversion: '1.0',
    id: `corpus-${DOSSIER}-${status}`,
    source: `urn:lgsp:agency:${ONE_STOP.agency}`,
    type: 'vn.gov.dossier.status',
    subject: DOSSIER,
    time: at(1 + status, 12),
    to: 'national',
    data: {
      dossierCode: DOSSIER,
      procedureCode: '2.000488.000.00.00.H49',
      applicant: { name: 'Đỗ Thị Ngọc Ánh', type: 1, idNumber: '022190001234' },
      receivedAt: at(1, 8),
      dueAt: at(11, 17),
      statusCode: status,
      handlingUnit: 'Sở Tư pháp tỉnh Quảng Ninh',
      ...finished,
      ...returned,
      ...progress,
    },
  };
}

const synced = (calls: PortalCall[], maHoSo: string) =>
  calls.filter((c) => c.service === 'DongBoHoSoMC' && String(c.answer.error_code).match(/^0+$/) && (c.body.data as { MaHoSo: string }[])[0]?.MaHoSo === maHoSo);

describe('the portal corpus', () => {
  it('syncs one dossier through all ten statuses, across a session that expires midway and string success codes', { timeout: 120_000 }, async () => {
    for (let status = 1; status <= 10; status++) {
      if (status === 5) portal.expireSessionsAfter(2); // the session in use dies two calls later, mid-delivery
      if (status === 7) portal.setSuccessCode('00');
      const res = await post(hub.url, statusEvent(status), { token: oneStopToken });
      expect(res.status, await res.clone().text()).toBe(202);
      await waitFor(`TrangThaiHoSo ${status} at the portal`, () => synced(portal.calls(), DOSSIER).length === status, 20_000);
    }
    // A status with progress is delivered as DongBoHoSoMC, then CapNhatTienDoHoSoMC: wait for the last one too.
    await waitFor('the progress of status 10 at the portal', () =>
      portal
        .calls()
        .some(
          (c) =>
            c.service === 'CapNhatTienDoHoSoMC' && /^0+$/.test(String(c.answer.error_code)) && (c.body.data as { TrangThai?: string }[] | undefined)?.[0]?.TrangThai === '10',
        ),
    );
    portal.expireSessionsAfter(undefined);
    const calls = portal.calls();

    // Every request carried dstcode, logins included.
    expect(calls.every((c) => c.dstcode === 'H49')).toBe(true);
    // The session expired midway: refused with "-1" (a code the client's table does not know), then a new login.
    const expired = calls.findIndex((c) => c.answer.error_code === '-1');
    expect(expired).toBeGreaterThan(0);
    expect(calls[expired + 1]?.service).toBe('login');
    expect(calls[expired + 2]?.service).toBe(calls[expired]?.service);
    expect(calls.filter((c) => c.service === 'login').length).toBeGreaterThanOrEqual(2);
    expect(calls.some((c) => c.answer.error_code === '00')).toBe(true);

    // One lookup of the procedure (cached), one of the dossier (then known), all in the portal's spelling.
    expect(calls.filter((c) => c.service === 'LayThuTuc').map((c) => c.body.maTTHC)).toEqual(['2.000488.000.00.00.H49']);
    expect(calls.filter((c) => c.service === 'TraCuuHoSo').map((c) => c.body.mahoso)).toEqual([DOSSIER]);

    const syncs = synced(calls, DOSSIER);
    expect(syncs.map((c) => c.body.isUpdating)).toEqual(['False', ...Array(9).fill('True')]);
    for (const [i, call] of syncs.entries()) {
      expect(call.body).toMatchObject({ madonvi: '000.00.00.H49', service: 'DongBoHoSoMC', session: expect.any(String) });
      const [hoSo] = call.body.data as Record<string, unknown>[];
      expect(Object.keys(hoSo!)).toEqual(expect.arrayContaining([...HOSO_FIELDS]));
      expect(hoSo).toMatchObject({
        MaHoSo: DOSSIER,
        MaTTHC: '2.000488.000.00.00.H49',
        TenTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', // from LayThuTuc
        MaLinhVuc: 'G15-LLTP',
        TenLinhVuc: 'Lý lịch tư pháp',
        SoBienNhan: '',
        ChuHoSo: 'Đỗ Thị Ngọc Ánh',
        LoaiDoiTuong: '1',
        MaDoiTuong: '022190001234',
        Email: '',
        SoDienThoai: '',
        Fax: '',
        TrichYeuHoSo: '',
        NgayTiepNhan: '20250801080000',
        NgayHenTra: '20250811170000',
        TrangThaiHoSo: String(i + 1),
        NgayTra: i + 1 === 10 ? '20250811100000' : '',
        NgayKetThucXuLy: i + 1 >= 9 ? '20250808160000' : '',
        DonViXuLy: 'Sở Tư pháp tỉnh Quảng Ninh',
        GhiChu: '',
        TaiLieuNop: [],
        DanhSachLePhi: [],
        DanhSachHoSoBoSung: [],
        DanhSachGiayToKetQua: [],
      });
    }

    const steps = calls.filter((c) => c.service === 'CapNhatTienDoHoSoMC' && /^0+$/.test(String(c.answer.error_code))).map((c) => (c.body.data as Record<string, unknown>[])[0]!);
    expect(steps).toEqual([
      { MaHoSo: DOSSIER, NguoiXuLy: 'Vũ Thị Mai', ChucDanh: 'Chuyên viên', ThoiDiemXuLy: '20250804100000', PhongBanXuLy: 'Phòng Hành chính tư pháp', NoiDungXuLy: 'Bước 4', TrangThai: '4', NgayBatDau: '20250804080000', NgayKetThucTheoQuyDinh: '20250807170000' },
      { MaHoSo: DOSSIER, NguoiXuLy: 'Vũ Thị Mai', ChucDanh: 'Chuyên viên', ThoiDiemXuLy: '20250811100000', PhongBanXuLy: 'Phòng Hành chính tư pháp', NoiDungXuLy: 'Bước 10', TrangThai: '10', NgayBatDau: '', NgayKetThucTheoQuyDinh: '' },
    ]);
    for (const step of steps) expect(Object.keys(step)).toEqual([...TIENDO_FIELDS]);
    for (const hoSo of portal.held()) for (const name of ['NgayTiepNhan', 'NgayHenTra']) expect(hoSo[name]).toMatch(DATE);
  });

  it.each(corpus('inbound'))('inbound %s is accepted and carried on to the portal field by field', { timeout: 60_000 }, async (_name, body) => {
    const res = await fetch(`${hub.url}/v1/connectors/${ONE_STOP.id}/inbound`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oneStopToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const items = body.data as Record<string, unknown>[];
    await waitFor('every dossier of the body at the portal', () =>
      items.every((item) => portal.held().some((h) => h.MaHoSo === item.MaHoSo && String(h.TrangThaiHoSo) === String(item.TrangThaiHoSo))), 20_000);
    for (const item of items) {
      const [last] = synced(portal.calls(), String(item.MaHoSo)).slice(-1);
      const sent = (last!.body.data as Record<string, unknown>[])[0]!;
      // What the canonical message carries comes back as the one-stop system wrote it (numbers as text).
      for (const name of ['MaHoSo', 'MaTTHC', 'SoBienNhan', 'ChuHoSo', 'LoaiDoiTuong', 'MaDoiTuong', 'TrichYeuHoSo', 'NgayTiepNhan', 'NgayHenTra', 'TrangThaiHoSo', 'NgayTra', 'NgayKetThucXuLy', 'DonViXuLy', 'GhiChu']) {
        expect(sent[name], `${String(item.MaHoSo)} ${name}`).toBe(String(item[name] ?? ''));
      }
      // Names the body left empty are filled from the portal's catalogue; those it gave are kept.
      for (const name of ['TenTTHC', 'MaLinhVuc', 'TenLinhVuc']) {
        if (item[name] !== '') expect(sent[name], `${String(item.MaHoSo)} ${name}`).toBe(item[name]);
        else expect(sent[name], `${String(item.MaHoSo)} ${name}`).not.toBe('');
      }
      // Contact details and lists are not carried by the canonical message (docs/dvcqg.md).
      expect(sent).toMatchObject({ Email: '', SoDienThoai: '', Fax: '', TaiLieuNop: [], DanhSachHoSoBoSung: [] });
    }
  });

  it.each([
    ['ngay-tiep-nhan-dd-mm-yyyy.json', '/data/0/NgayTiepNhan'],
    ['trang-thai-la-ten.json', '/data/0/TrangThaiHoSo'],
    ['ngay-30-thang-2.json', '/data/0/NgayTiepNhan'],
  ])('bad inbound %s is refused with the failing field %s', async (name, pointer) => {
    const res = await fetch(`${hub.url}/v1/connectors/${ONE_STOP.id}/inbound`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oneStopToken}`, 'content-type': 'application/json' },
      body: readFileSync(`${CORPUS}/bad/${name}`),
    });
    const text = await res.text();
    expect(res.status, text).toBeGreaterThanOrEqual(400);
    expect(res.status, text).toBeLessThan(500);
    expect(text).toContain(pointer);
  });

  it('the recorded portal answers of the corpus are the shapes the simulator speaks', () => {
    const login = portal.calls().find((c) => c.service === 'login')!;
    expect(Object.keys(login.answer).sort()).toEqual(Object.keys(answer('dang-nhap-thanh-cong-ma-chuoi.json')).sort());
    const lookup = portal.calls().find((c) => c.service === 'LayThuTuc')!;
    const expected = answer('lay-thu-tuc.json') as unknown as { result: Record<string, unknown>[] };
    expect(lookup.answer.result?.[0]).toMatchObject({ MATTHC: expected.result[0]!.MATTHC, TENTTHC: expected.result[0]!.TENTTHC, LINHVUCTHUCHIEN: expected.result[0]!.LINHVUCTHUCHIEN });
    expect(Object.keys(answer('tra-cuu-khong-co.json'))).toEqual(['error_code', 'message', 'result']);
  });
});
