import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { fromPortalDate, toPortalDate } from './dates.ts';
import { DVCQG_ERROR_CODES, DvcqgMappingError, type DvcqgErrorCode } from './errors.ts';
import { fromDongBoHoSoMC, toCapNhatTienDo, toDongBoHoSoMC, withProcedure, toHoSoMC } from './mapping.ts';
import { DOSSIER_STATUSES, onTimeOf, statusTableOf } from './status.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const fullEvent = fixture('dossier-status-event.json') as CloudEvent;
const minimalEvent = fixture('dossier-status-event-minimal.json') as CloudEvent;
const portalBody = fixture('dong-bo-ho-so-mc.json') as { data: Record<string, unknown>[] };

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

function expectValid(event: unknown): void {
  const e = event as CloudEvent;
  expect([...schemas.validateEnvelope(e), ...schemas.validateData(e.type, e.data, e.dataschema)]).toEqual([]);
}

function withData(event: CloudEvent, patch: Record<string, unknown>): CloudEvent {
  return { ...event, data: { ...event.data, ...patch } };
}

function mappingError(fn: () => unknown): DvcqgMappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DvcqgMappingError) return err;
    throw err;
  }
  throw new Error('expected a DvcqgMappingError');
}

describe('fixtures', () => {
  it('the canonical event samples are valid messages', () => {
    expectValid(fullEvent);
    expectValid(minimalEvent);
  });
});

describe('dates (Asia/Ho_Chi_Minh, fixed +07:00)', () => {
  it('converts any offset to Vietnam wall-clock time, across day and year boundaries', () => {
    expect(toPortalDate('2025-07-15T08:30:00+07:00')).toBe('20250715083000');
    expect(toPortalDate('2024-12-31T17:00:00Z')).toBe('20250101000000');
    expect(toPortalDate('2025-07-14T23:30:00.999-02:00')).toBe('20250715083000');
    expect(fromPortalDate('20250101000000')).toBe('2025-01-01T00:00:00+07:00');
  });

  it('does not depend on the machine time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Asia/Tokyo', 'UTC']) {
        process.env.TZ = tz;
        expect(toPortalDate('2025-03-09T07:30:00Z')).toBe('20250309143000'); // a US DST night
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('rejects what is not a real instant', () => {
    for (const bad of ['20250230083000', '20251301083000', '20250715243000', '2025071508300', '2025-07-15 08:30:00']) {
      expect(fromPortalDate(bad), bad).toBeUndefined();
    }
    for (const bad of ['20250715083000', '2025-07-15', '2025-07-15T08:30:00', 'yesterday']) {
      expect(toPortalDate(bad), bad).toBeUndefined();
    }
  });
});

describe('status table and on-time rule', () => {
  it('has the ten TrangThaiHoSo codes', () => {
    expect(Object.keys(DOSSIER_STATUSES).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(DOSSIER_STATUSES[10]).toBe('Đã trả kết quả');
  });

  it('is on time only when finished (9, 10) no later than due', () => {
    const due = new Date('2025-07-16T17:00:00+07:00');
    expect(onTimeOf(10, new Date('2025-07-16T17:00:00+07:00'), due)).toBe(true);
    expect(onTimeOf(9, new Date('2025-07-16T17:00:01+07:00'), due)).toBe(false);
    expect(onTimeOf(4, new Date('2025-07-10T00:00:00+07:00'), due)).toBeUndefined();
    expect(onTimeOf(10, new Date('2025-07-10T00:00:00+07:00'), undefined)).toBeUndefined();
  });
});

describe('toDongBoHoSoMC', () => {
  it('maps every field to the portal names, dates in Vietnam time, every field present', () => {
    expect(toDongBoHoSoMC(fullEvent)).toEqual({
      service: 'DongBoHoSoMC',
      isUpdating: 'False',
      data: [
        {
          MaHoSo: 'H49.31-250715-0001',
          MaTTHC: '1.001193.000.00.00.H49',
          TenTTHC: 'Đăng ký khai sinh',
          MaLinhVuc: 'HT-KS',
          TenLinhVuc: '',
          SoBienNhan: 'BN-0001/2025',
          ChuHoSo: 'Nguyễn Thị Hoà',
          LoaiDoiTuong: '1',
          MaDoiTuong: '022195004321',
          Email: '',
          SoDienThoai: '',
          Fax: '',
          TrichYeuHoSo: '',
          NgayTiepNhan: '20250715083000',
          NgayHenTra: '20250716170000',
          TrangThaiHoSo: '10',
          NgayTra: '20250716143000',
          HinhThuc: '',
          NgayKetThucXuLy: '20250716100000',
          DonViXuLy: 'UBND phường Hồng Gai',
          GhiChu: '',
          ThongTinKhac: '',
          ThongTinTra: '',
          TaiLieuNop: [],
          DanhSachLePhi: [],
          DanhSachTepDinhKemKhac: [],
          DanhSachHoSoBoSung: [],
          DanhSachGiayToKetQua: [],
        },
      ],
    });
  });

  it('sends unknown fields as "" and lists as [], never leaves them out', () => {
    const [hoSo] = toDongBoHoSoMC(minimalEvent).data;
    expect(Object.keys(hoSo ?? {})).toHaveLength(28);
    expect(hoSo).toMatchObject({ TenTTHC: '', MaLinhVuc: '', NgayHenTra: '', NgayTra: '', NgayKetThucXuLy: '', DonViXuLy: '', TaiLieuNop: [] });
    expect(hoSo?.NgayTiepNhan).toBe('20250715083000');
  });

  it('writes isUpdating "True" for a dossier the portal holds, or a boolean when configured', () => {
    expect(toDongBoHoSoMC(minimalEvent, { portalHasIt: true }).isUpdating).toBe('True');
    expect(toDongBoHoSoMC(minimalEvent, { portalHasIt: true, isUpdatingAs: 'boolean' }).isUpdating).toBe(true);
    expect(toDongBoHoSoMC(minimalEvent, { isUpdatingAs: 'boolean' }).isUpdating).toBe(false);
  });

  it('maps the status through the connector table, not the identity when the table says otherwise', () => {
    const table = statusTableOf({ '2': '12', '10': '15' });
    expect(toDongBoHoSoMC(minimalEvent, { table }).data[0]?.TrangThaiHoSo).toBe('12');
    expect(toDongBoHoSoMC(fullEvent, { table }).data[0]?.TrangThaiHoSo).toBe('15');
  });

  it("fills the names it lacks from the catalogue entry, never replacing the event's", () => {
    const thuTuc = {
      MATTHC: '1.001193',
      TENTTHC: 'Thủ tục đăng ký khai sinh',
      LINHVUCTHUCHIEN: [
        { MALINHVUC: 'X', TENLINHVUC: 'Khác' },
        { MALINHVUC: 'HT-KS', TENLINHVUC: 'Hộ tịch' },
      ],
    };
    expect(withProcedure(toHoSoMC(fullEvent), thuTuc)).toMatchObject({ TenTTHC: 'Đăng ký khai sinh', MaLinhVuc: 'HT-KS', TenLinhVuc: 'Hộ tịch' });
    expect(withProcedure(toHoSoMC(minimalEvent), thuTuc)).toMatchObject({ TenTTHC: 'Thủ tục đăng ký khai sinh', MaLinhVuc: 'X', TenLinhVuc: 'Khác' });
    expect(withProcedure(toHoSoMC(minimalEvent), undefined)).toMatchObject({ TenTTHC: '', MaLinhVuc: '', TenLinhVuc: '' });
  });
});

describe('toCapNhatTienDo', () => {
  it('maps the progress block with every field; TrangThai is the status code, not a name', () => {
    expect(toCapNhatTienDo(fullEvent)).toEqual({
      service: 'CapNhatTienDoHoSoMC',
      data: [
        {
          MaHoSo: 'H49.31-250715-0001',
          NguoiXuLy: 'Phạm Thu Trang',
          ChucDanh: 'Công chức Tư pháp - Hộ tịch',
          ThoiDiemXuLy: '20250716143000',
          PhongBanXuLy: 'Bộ phận một cửa',
          NoiDungXuLy: 'Đã trả giấy khai sinh cho công dân.',
          TrangThai: '10',
          NgayBatDau: '',
          NgayKetThucTheoQuyDinh: '',
        },
      ],
    });
  });

  it('is undefined without progress; the step dates come from the step, the code from the table', () => {
    expect(toCapNhatTienDo(minimalEvent)).toBeUndefined();
    const event = withData(minimalEvent, {
      statusCode: 4,
      progress: {
        handler: 'Lê Văn An',
        handledAt: '2025-07-15T09:00:00+07:00',
        startedAt: '2025-07-15T08:45:00+07:00',
        dueAt: '2025-07-17T17:00:00+07:00',
        status: 'Đang thẩm định',
      },
    });
    expectValid(event);
    expect(toCapNhatTienDo(event)?.data[0]).toMatchObject({ TrangThai: '4', NgayBatDau: '20250715084500', NgayKetThucTheoQuyDinh: '20250717170000' });
    expect(toCapNhatTienDo(event, statusTableOf({ '4': '40' }))?.data[0]?.TrangThai).toBe('40');
    expect(DOSSIER_STATUSES[4]).toBe('Đang xử lý');
  });
});

describe('fromDongBoHoSoMC', () => {
  it('makes one valid event per data[] item, onTime by the rule, contact details dropped', () => {
    const events = fromDongBoHoSoMC(portalBody, { agency: '000.00.00.H49' });
    expect(events).toHaveLength(2);
    for (const e of events) expectValid(e);
    const [birth, business] = events;
    expect(birth).toMatchObject({
      source: 'urn:lgsp:agency:000.00.00.H49',
      type: 'vn.gov.dossier.status',
      subject: 'H49.31-250715-0001',
      to: 'national',
      time: '2025-07-16T14:30:00+07:00',
      data: {
        procedureName: 'Đăng ký khai sinh',
        applicant: { name: 'Nguyễn Thị Hoà', type: 1, idNumber: '022195004321' },
        receivedAt: '2025-07-15T08:30:00+07:00',
        finishedAt: '2025-07-16T10:00:00+07:00',
        statusCode: 10,
        onTime: true,
      },
    });
    expect(JSON.stringify(birth)).not.toMatch(/example\.vn|0912345678|TaiLieuNop/);
    expect(business?.data).toMatchObject({ statusCode: 4, applicant: { type: 2 } });
    expect(business?.data).not.toHaveProperty('onTime');
    expect(business?.data).not.toHaveProperty('returnedAt'); // "" means unknown
  });

  it('gives the same ids to the same body, and fills onTime false when late', () => {
    const ids = fromDongBoHoSoMC(portalBody, { agency: '000.00.00.H49' }).map((e) => e.id);
    expect(fromDongBoHoSoMC(portalBody, { agency: '000.00.00.H49' }).map((e) => e.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(2);
    const late = { data: [{ ...portalBody.data[0], NgayKetThucXuLy: '20250717080000' }] };
    const [event] = fromDongBoHoSoMC(late, { agency: '000.00.00.H49', to: false });
    expect(event?.data.onTime).toBe(false);
    expect(event).not.toHaveProperty('to');
    expect(event?.id).not.toBe(ids[0]);
  });

  it('round-trips an outbound body back to the same dossier', () => {
    const [event] = fromDongBoHoSoMC(toDongBoHoSoMC(fullEvent), { agency: '000.00.00.H49' });
    expectValid(event);
    const { progress: _progress, ...expected } = fullEvent.data as Record<string, unknown>;
    const instants = (d: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' && k.endsWith('At') ? Date.parse(v) : v]));
    expect(instants(event?.data ?? {})).toEqual(instants(expected));
  });
});

describe('mapping errors: closed codes with the failing field', () => {
  const first = portalBody.data[0] ?? {};
  const cases: Array<[string, () => unknown, DvcqgErrorCode, string]> = [
    ['wrong event type', () => toDongBoHoSoMC({ ...fullEvent, type: 'vn.gov.document.sent' }), 'dvcqg-wrong-type', '/type'],
    ['portal date in an event', () => toDongBoHoSoMC(withData(fullEvent, { receivedAt: '20250701081200' })), 'dvcqg-bad-date', '/data/receivedAt'],
    ['no applicant name', () => toDongBoHoSoMC(withData(fullEvent, { applicant: { type: 1 } })), 'dvcqg-missing-field', '/data/applicant/name'],
    ['applicant not an object', () => toDongBoHoSoMC(withData(fullEvent, { applicant: 'Hoà' })), 'dvcqg-bad-value', '/data/applicant'],
    ['status 11', () => toDongBoHoSoMC(withData(fullEvent, { statusCode: 11 })), 'dvcqg-bad-status', '/data/statusCode'],
    [
      'bad progress date',
      () => toCapNhatTienDo(withData(fullEvent, { progress: { handler: 'A', handledAt: 'now' } })),
      'dvcqg-bad-date',
      '/data/progress/handledAt',
    ],
    [
      '30 February',
      () => fromDongBoHoSoMC({ data: [{ ...first, NgayTiepNhan: '20250230083000' }] }, { agency: '000.00.00.H49' }),
      'dvcqg-bad-date',
      '/data/0/NgayTiepNhan',
    ],
    ['no MaHoSo', () => fromDongBoHoSoMC({ data: [first, { ...first, MaHoSo: '' }] }, { agency: '000.00.00.H49' }), 'dvcqg-missing-field', '/data/1/MaHoSo'],
    [
      'LoaiDoiTuong 3',
      () => fromDongBoHoSoMC({ data: [{ ...first, LoaiDoiTuong: '3' }] }, { agency: '000.00.00.H49' }),
      'dvcqg-bad-applicant-type',
      '/data/0/LoaiDoiTuong',
    ],
    [
      'TrangThaiHoSo "x"',
      () => fromDongBoHoSoMC({ data: [{ ...first, TrangThaiHoSo: 'x' }] }, { agency: '000.00.00.H49' }),
      'dvcqg-bad-value',
      '/data/0/TrangThaiHoSo',
    ],
    ['data not a list', () => fromDongBoHoSoMC({ data: {} }, { agency: '000.00.00.H49' }), 'dvcqg-bad-value', '/data'],
    ['no data', () => fromDongBoHoSoMC({}, { agency: '000.00.00.H49' }), 'dvcqg-missing-field', '/data'],
  ];

  it.each(cases)('%s', (_name, fn, code, path) => {
    const err = mappingError(fn);
    expect({ code: err.code, path: err.path, retriable: err.retriable }).toEqual({ code, path, retriable: false });
  });

  it('every code of the closed list is produced by some case', () => {
    expect(new Set(cases.map(([, , code]) => code))).toEqual(new Set(DVCQG_ERROR_CODES));
  });
});

describe('fromDongBoHoSoMC, tolerant reader', () => {
  it('keeps TenLinhVuc, TrichYeuHoSo and GhiChu, reads numbers as text and codes through the table', () => {
    const item = { ...portalBody.data[0], MaDoiTuong: 22195004321, GhiChu: 'Nộp trực tiếp', TrangThaiHoSo: '15' };
    const [event] = fromDongBoHoSoMC({ isUpdating: 'False', data: [item] }, { agency: '000.00.00.H49', table: statusTableOf({ '10': '15' }) });
    expectValid(event);
    expect(event?.data).toMatchObject({
      fieldName: 'Hộ tịch',
      summary: 'Đăng ký khai sinh cho con: Trần Minh Khôi',
      note: 'Nộp trực tiếp',
      statusCode: 10,
      applicant: { idNumber: '22195004321' },
    });
    const err = mappingError(() =>
      fromDongBoHoSoMC({ data: [{ ...portalBody.data[0], TrangThaiHoSo: '10' }] }, { agency: '000.00.00.H49', table: statusTableOf({ '10': '15' }) }),
    );
    expect({ code: err.code, path: err.path }).toEqual({ code: 'dvcqg-bad-status', path: '/data/0/TrangThaiHoSo' });
  });
});
