/**
 * Pure mapping between `vn.gov.dossier.status` events and the portal's DongBoHoSoMC /
 * CapNhatTienDoHoSoMC bodies (domain/dvcqg.md). Called by the client (encode stage, outbound) and by
 * the inbound adapter (decode stage). Every function throws `DvcqgMappingError` (never retriable)
 * with the failing field's JSON Pointer; nothing here does I/O or reads the clock.
 */
import { createHash } from 'node:crypto';
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { fromPortalDate, toPortalDate } from './dates.ts';
import { DvcqgMappingError } from './errors.ts';
import type { CapNhatTienDoRequest, DongBoHoSoMCRequest, HoSoMC, TienDoHoSoMC } from './portal-types.ts';
import { FieldReader, isRecord, pointer } from './read.ts';
import { DOSSIER_STATUSES, isDossierStatusCode, onTimeOf, type DossierStatusCode } from './status.ts';

export const DOSSIER_STATUS_TYPE = 'vn.gov.dossier.status';

/** `data` of a `vn.gov.dossier.status` event (schemas/messages/vn.gov.dossier.status.v1.json). */
export type DossierStatusData = {
  dossierCode: string;
  procedureCode: string;
  procedureName?: string;
  fieldCode?: string;
  receiptNumber?: string;
  applicant: { name: string; type: 1 | 2; idNumber?: string };
  receivedAt: string;
  dueAt?: string;
  finishedAt?: string;
  returnedAt?: string;
  statusCode: DossierStatusCode;
  handlingUnit?: string;
  onTime?: boolean;
};

/**
 * Event → the DongBoHoSoMC call (without `session`): one dossier, `isUpdating` true (an upsert,
 * so re-delivery is harmless). Dates become `yyyyMMddHHmmss` in Vietnam time. `onTime` and
 * `progress` are not part of this body (the portal computes the former; see `toCapNhatTienDo`).
 */
export function toDongBoHoSoMC(event: CloudEvent, settings: { madonvi: string }): DongBoHoSoMCRequest {
  const d = eventData(event);
  const applicant = FieldReader.of(d.raw('applicant'), d.path('applicant'));
  const hoSo: HoSoMC = {
    MaHoSo: d.string('dossierCode', true),
    MaTTHC: d.string('procedureCode', true),
    ...opt('TenTTHC', d.string('procedureName')),
    ...opt('MaLinhVuc', d.string('fieldCode')),
    ...opt('SoBienNhan', d.string('receiptNumber')),
    ChuHoSo: applicant.string('name', true),
    LoaiDoiTuong: String(applicantType(applicant, 'type')),
    ...opt('MaDoiTuong', applicant.string('idNumber')),
    NgayTiepNhan: d.date('receivedAt', toPortalDate, true),
    ...opt('NgayHenTra', d.date('dueAt', toPortalDate)),
    TrangThaiHoSo: String(statusCode(d, 'statusCode')),
    ...opt('NgayTra', d.date('returnedAt', toPortalDate)),
    ...opt('NgayKetThucXuLy', d.date('finishedAt', toPortalDate)),
    ...opt('DonViXuLy', d.string('handlingUnit')),
  };
  return { madonvi: settings.madonvi, service: 'DongBoHoSoMC', isUpdating: true, data: [hoSo] };
}

/**
 * Event → the CapNhatTienDoHoSoMC call (without `session`, `madonvi`), or undefined when the event
 * has no `progress`. NgayBatDau is the dossier's receivedAt and NgayKetThucTheoQuyDinh its dueAt
 * (the event carries no per-step dates); TrangThai is the step's `status`, else the status name.
 */
export function toCapNhatTienDo(event: CloudEvent): CapNhatTienDoRequest | undefined {
  const d = eventData(event);
  if (d.raw('progress') === undefined) return undefined;
  const p = FieldReader.of(d.raw('progress'), d.path('progress'));
  const status = statusCode(d, 'statusCode');
  const step: TienDoHoSoMC = {
    MaHoSo: d.string('dossierCode', true),
    NguoiXuLy: p.string('handler', true),
    ...opt('ChucDanh', p.string('position')),
    ThoiDiemXuLy: p.date('handledAt', toPortalDate, true),
    ...opt('PhongBanXuLy', p.string('department')),
    ...opt('NoiDungXuLy', p.string('content')),
    TrangThai: p.string('status') ?? DOSSIER_STATUSES[status],
    NgayBatDau: d.date('receivedAt', toPortalDate, true),
    ...opt('NgayKetThucTheoQuyDinh', d.date('dueAt', toPortalDate)),
  };
  return { service: 'CapNhatTienDoHoSoMC', data: [step] };
}

export interface FromPortalOptions {
  /** The sending agency's code (the one-stop system's connector): the events' `source`. */
  agency: string;
  /** The events' `to`; default `national`; false for none (subscribers only). */
  to?: string | false;
}

/**
 * A DongBoHoSoMC body sent to the hub by a one-stop system → one `vn.gov.dossier.status` event per
 * `data[]` item, in order. `onTime` is filled by the on-time rule when it can be decided. Contact
 * details (Email, SoDienThoai, Fax) and the lists (TaiLieuNop, ...) are deliberately dropped.
 * `id` is derived from the content (same body, same ids: the hub's de-duplication applies);
 * `time` is the latest date of the dossier. Pointers are from the body root (`/data/0/MaHoSo`).
 */
export function fromDongBoHoSoMC(body: unknown, options: FromPortalOptions): CloudEvent[] {
  const root = FieldReader.of(body, '');
  const items = root.raw('data');
  if (items === undefined || items === null) throw new DvcqgMappingError('dvcqg-missing-field', '/data', 'is required');
  if (!Array.isArray(items) || items.length === 0) throw new DvcqgMappingError('dvcqg-bad-value', '/data', 'must be a non-empty list');
  return items.map((item: unknown, i) => toEvent(FieldReader.of(item, pointer('/data', i)), options));
}

function toEvent(h: FieldReader, options: FromPortalOptions): CloudEvent {
  const status = statusCode(h, 'TrangThaiHoSo');
  const idNumber = h.string('MaDoiTuong');
  const finishedAt = h.date('NgayKetThucXuLy', fromPortalDate);
  const dueAt = h.date('NgayHenTra', fromPortalDate);
  const onTime = onTimeOf(status, finishedAt ? new Date(finishedAt) : undefined, dueAt ? new Date(dueAt) : undefined);
  const data: DossierStatusData = {
    dossierCode: h.string('MaHoSo', true),
    procedureCode: h.string('MaTTHC', true),
    ...opt('procedureName', h.string('TenTTHC')),
    ...opt('fieldCode', h.string('MaLinhVuc')),
    ...opt('receiptNumber', h.string('SoBienNhan')),
    applicant: { name: h.string('ChuHoSo', true), type: applicantType(h, 'LoaiDoiTuong'), ...opt('idNumber', idNumber) },
    receivedAt: h.date('NgayTiepNhan', fromPortalDate, true),
    ...opt('dueAt', dueAt),
    ...opt('finishedAt', finishedAt),
    ...opt('returnedAt', h.date('NgayTra', fromPortalDate)),
    statusCode: status,
    ...opt('handlingUnit', h.string('DonViXuLy')),
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
