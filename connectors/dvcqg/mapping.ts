/**
 * Pure mapping between `vn.gov.dossier.status` events and the portal's DongBoHoSoMC /
 * CapNhatTienDoHoSoMC bodies (domain/dvcqg.md; the field table and every decision the facts left
 * open are in docs/dvcqg.md). Called by the client (encode stage, outbound) and by the inbound
 * adapter (decode stage). Every function throws `DvcqgMappingError` (never retriable) with the
 * failing field's JSON Pointer; nothing here does I/O or reads the clock.
 *
 * Outbound, the writer is faithful to what public clients send: every field of the dossier and of
 * the progress step is present, "" or [] when unknown; status codes go through the connector's
 * status table, never as names. Inbound, the reader is tolerant: codes as numbers or strings,
 * "" for unknown, numbers where text is expected.
 */
import { createHash } from 'node:crypto';
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { fromPortalDate, toPortalDate } from './dates.ts';
import { DvcqgMappingError } from './errors.ts';
import type { CapNhatTienDoRequest, DongBoHoSoMCRequest, HoSoMC, ThuTuc, TienDoHoSoMC } from './portal-types.ts';
import { FieldReader, isRecord, pointer } from './read.ts';
import { canonicalStatusOf, DEFAULT_STATUS_TABLE, isDossierStatusCode, onTimeOf, type DossierStatusCode, type StatusTable } from './status.ts';

export const DOSSIER_STATUS_TYPE = 'vn.gov.dossier.status';

/** `data` of a `vn.gov.dossier.status` event (schemas/messages/vn.gov.dossier.status.v1.json). */
export type DossierStatusData = {
  dossierCode: string;
  procedureCode: string;
  procedureName?: string;
  fieldCode?: string;
  fieldName?: string;
  receiptNumber?: string;
  applicant: { name: string; type: 1 | 2; idNumber?: string };
  summary?: string;
  receivedAt: string;
  dueAt?: string;
  finishedAt?: string;
  returnedAt?: string;
  statusCode: DossierStatusCode;
  handlingUnit?: string;
  note?: string;
  onTime?: boolean;
};

/**
 * Event → one DongBoHoSoMC dossier, every field present. Dates become `yyyyMMddHHmmss` in Vietnam
 * time; TrangThaiHoSo is `table[statusCode]`. Procedure and field names the event lacks stay "" here:
 * the client fills them from LayThuTuc (`withProcedure`). `onTime` and `progress` are not part of
 * this body (the portal computes the former; see `toCapNhatTienDo`).
 */
export function toHoSoMC(event: CloudEvent, table: StatusTable = DEFAULT_STATUS_TABLE): HoSoMC {
  const d = eventData(event);
  const applicant = FieldReader.of(d.raw('applicant'), d.path('applicant'));
  const date = (name: string) => d.date(name, toPortalDate) ?? '';
  return {
    MaHoSo: d.string('dossierCode', true),
    MaTTHC: d.string('procedureCode', true),
    TenTTHC: d.string('procedureName') ?? '',
    MaLinhVuc: d.string('fieldCode') ?? '',
    TenLinhVuc: d.string('fieldName') ?? '',
    SoBienNhan: d.string('receiptNumber') ?? '',
    ChuHoSo: applicant.string('name', true),
    LoaiDoiTuong: String(applicantType(applicant, 'type')),
    MaDoiTuong: applicant.string('idNumber') ?? '',
    Email: '',
    SoDienThoai: '',
    Fax: '',
    TrichYeuHoSo: d.string('summary') ?? '',
    NgayTiepNhan: d.date('receivedAt', toPortalDate, true),
    NgayHenTra: date('dueAt'),
    TrangThaiHoSo: table[statusCode(d, 'statusCode')],
    NgayTra: date('returnedAt'),
    HinhThuc: '',
    NgayKetThucXuLy: date('finishedAt'),
    DonViXuLy: d.string('handlingUnit') ?? '',
    GhiChu: d.string('note') ?? '',
    ThongTinKhac: '',
    ThongTinTra: '',
    TaiLieuNop: [],
    DanhSachLePhi: [],
    DanhSachTepDinhKemKhac: [],
    DanhSachHoSoBoSung: [],
    DanhSachGiayToKetQua: [],
  };
}

/** True when the dossier lacks a name LayThuTuc can give (TenTTHC, MaLinhVuc or TenLinhVuc). */
export function needsProcedure(hoSo: HoSoMC): boolean {
  return hoSo.TenTTHC === '' || hoSo.MaLinhVuc === '' || hoSo.TenLinhVuc === '';
}

/**
 * The dossier with the names it lacks taken from the portal's catalogue entry; what the event gave
 * is never replaced. The field is the catalogue's entry whose MALINHVUC is the dossier's MaLinhVuc,
 * else (no MaLinhVuc given) its first field; none found leaves TenLinhVuc "".
 */
export function withProcedure(hoSo: HoSoMC, thuTuc: ThuTuc | undefined): HoSoMC {
  if (!thuTuc) return hoSo;
  const fields = thuTuc.LINHVUCTHUCHIEN;
  const field = hoSo.MaLinhVuc === '' ? fields[0] : fields.find((f) => f.MALINHVUC === hoSo.MaLinhVuc);
  return {
    ...hoSo,
    TenTTHC: hoSo.TenTTHC || thuTuc.TENTTHC,
    MaLinhVuc: hoSo.MaLinhVuc || (field?.MALINHVUC ?? ''),
    TenLinhVuc: hoSo.TenLinhVuc || (field?.TENLINHVUC ?? ''),
  };
}

/** The DongBoHoSoMC call (without `session`, `madonvi`) for dossiers the portal does or does not hold. */
export function dongBoHoSoMC(data: HoSoMC[], portalHasIt: boolean, isUpdatingAs: 'string' | 'boolean' = 'string'): DongBoHoSoMCRequest {
  const isUpdating = isUpdatingAs === 'boolean' ? portalHasIt : portalHasIt ? 'True' : 'False';
  return { service: 'DongBoHoSoMC', isUpdating, data };
}

/** Event → the whole DongBoHoSoMC call in one step (no catalogue lookup): for tests and tools. */
export function toDongBoHoSoMC(
  event: CloudEvent,
  options: { table?: StatusTable; portalHasIt?: boolean; isUpdatingAs?: 'string' | 'boolean' } = {},
): DongBoHoSoMCRequest {
  return dongBoHoSoMC([toHoSoMC(event, options.table)], options.portalHasIt ?? false, options.isUpdatingAs);
}

/**
 * Event → the CapNhatTienDoHoSoMC call (without `session`, `madonvi`), or undefined when the event
 * has no `progress`. Every field is present: TrangThai is the portal status code of the event's
 * `statusCode` (the same table as TrangThaiHoSo), never `progress.status` (a name); NgayBatDau and
 * NgayKetThucTheoQuyDinh are the step's own `startedAt` / `dueAt`, "" when the event does not say.
 */
export function toCapNhatTienDo(event: CloudEvent, table: StatusTable = DEFAULT_STATUS_TABLE): CapNhatTienDoRequest | undefined {
  const d = eventData(event);
  if (d.raw('progress') === undefined) return undefined;
  const p = FieldReader.of(d.raw('progress'), d.path('progress'));
  const step: TienDoHoSoMC = {
    MaHoSo: d.string('dossierCode', true),
    NguoiXuLy: p.string('handler', true),
    ChucDanh: p.string('position') ?? '',
    ThoiDiemXuLy: p.date('handledAt', toPortalDate, true),
    PhongBanXuLy: p.string('department') ?? '',
    NoiDungXuLy: p.string('content') ?? '',
    TrangThai: table[statusCode(d, 'statusCode')],
    NgayBatDau: p.date('startedAt', toPortalDate) ?? '',
    NgayKetThucTheoQuyDinh: p.date('dueAt', toPortalDate) ?? '',
  };
  return { service: 'CapNhatTienDoHoSoMC', data: [step] };
}

export interface FromPortalOptions {
  /** The sending agency's code (the one-stop system's connector): the events' `source`. */
  agency: string;
  /** The events' `to`; default `national`; false for none (subscribers only). */
  to?: string | false;
  /** The connector's status table, read backwards (portal code → statusCode); default identity. */
  table?: StatusTable;
}

/**
 * A DongBoHoSoMC body sent to the hub by a one-stop system → one `vn.gov.dossier.status` event per
 * `data[]` item, in order. `onTime` is filled by the on-time rule when it can be decided. Contact
 * details (Email, SoDienThoai, Fax), HinhThuc, ThongTinKhac/ThongTinTra and the lists (TaiLieuNop,
 * ...) are deliberately not carried (docs/dvcqg.md). `id` is derived from the content (same body,
 * same ids: the hub's de-duplication applies); `time` is the latest date of the dossier. Pointers
 * are from the body root (`/data/0/MaHoSo`).
 */
export function fromDongBoHoSoMC(body: unknown, options: FromPortalOptions): CloudEvent[] {
  const root = FieldReader.of(body, '');
  const items = root.raw('data');
  if (items === undefined || items === null) throw new DvcqgMappingError('dvcqg-missing-field', '/data', 'is required');
  if (!Array.isArray(items) || items.length === 0) throw new DvcqgMappingError('dvcqg-bad-value', '/data', 'must be a non-empty list');
  return items.map((item: unknown, i) => toEvent(FieldReader.of(item, pointer('/data', i)), options));
}

function toEvent(h: FieldReader, options: FromPortalOptions): CloudEvent {
  const portalCode = h.code('TrangThaiHoSo', true);
  const status = canonicalStatusOf(options.table ?? DEFAULT_STATUS_TABLE, portalCode);
  if (status === undefined) throw new DvcqgMappingError('dvcqg-bad-status', h.path('TrangThaiHoSo'), `${portalCode} is not in the status table`);
  const finishedAt = h.date('NgayKetThucXuLy', fromPortalDate);
  const dueAt = h.date('NgayHenTra', fromPortalDate);
  const onTime = onTimeOf(status, finishedAt ? new Date(finishedAt) : undefined, dueAt ? new Date(dueAt) : undefined);
  const data: DossierStatusData = {
    dossierCode: h.text('MaHoSo', true),
    procedureCode: h.text('MaTTHC', true),
    ...opt('procedureName', h.text('TenTTHC')),
    ...opt('fieldCode', h.text('MaLinhVuc')),
    ...opt('fieldName', h.text('TenLinhVuc')),
    ...opt('receiptNumber', h.text('SoBienNhan')),
    applicant: { name: h.text('ChuHoSo', true), type: applicantType(h, 'LoaiDoiTuong'), ...opt('idNumber', h.text('MaDoiTuong')) },
    ...opt('summary', h.text('TrichYeuHoSo')),
    receivedAt: h.date('NgayTiepNhan', fromPortalDate, true),
    ...opt('dueAt', dueAt),
    ...opt('finishedAt', finishedAt),
    ...opt('returnedAt', h.date('NgayTra', fromPortalDate)),
    statusCode: status,
    ...opt('handlingUnit', h.text('DonViXuLy')),
    ...opt('note', h.text('GhiChu')),
    ...opt('onTime', onTime),
  };
  const hash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
  const times = [data.receivedAt, data.finishedAt, data.returnedAt].filter((t): t is string => t !== undefined);
  const time = times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  return {
    specversion: '1.0',
    id: `dvcqg-${data.dossierCode}-${status}-${hash}`,
    source: agencySource(options.agency),
    type: DOSSIER_STATUS_TYPE,
    subject: data.dossierCode,
    time,
    ...(options.to === false ? {} : { to: options.to ?? 'national' }),
    data,
  };
}

function eventData(event: CloudEvent): FieldReader {
  if (event.type !== DOSSIER_STATUS_TYPE) {
    throw new DvcqgMappingError('dvcqg-wrong-type', '/type', `expected ${DOSSIER_STATUS_TYPE}, got ${event.type}`);
  }
  if (!isRecord(event.data)) throw new DvcqgMappingError('dvcqg-bad-value', '/data', 'must be an object');
  return new FieldReader(event.data, '/data');
}

function statusCode(r: FieldReader, name: string): DossierStatusCode {
  const code = r.code(name, true);
  if (!isDossierStatusCode(code)) throw new DvcqgMappingError('dvcqg-bad-status', r.path(name), `${code} is not a status 1..10`);
  return code;
}

function applicantType(r: FieldReader, name: string): 1 | 2 {
  const code = r.code(name, true);
  if (code !== 1 && code !== 2) throw new DvcqgMappingError('dvcqg-bad-applicant-type', r.path(name), `${code} is not 1 (citizen) or 2 (business)`);
  return code;
}

/** `{ [key]: value }` when value is defined, else `{}`: optional fields stay absent, never undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
