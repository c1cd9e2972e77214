/**
 * The messages of the story, in the shapes of `schemas/messages/` (v1): official documents with an
 * inline text file (the e-office systems receive edXML, which carries files inline), edXML status
 * answers, and the dossier of a one-stop-shop procedure with its statuses and its hand-over.
 * Dates are today in Vietnam time (UTC+7), as the agencies would write them.
 */
import { createHash } from 'node:crypto';
import { agencySource } from '../src/contract/cloud-event.ts';
import { AGENCY } from './province.ts';

type Event = Record<string, unknown> & { id: string; type: string; subject: string };

const VN_OFFSET_MS = 7 * 3_600_000;

/** Now in Vietnam time, whole seconds: `2025-07-14T16:02:11+07:00`. */
export function vnNow(offsetMs = 0): string {
  return `${new Date(Date.now() + offsetMs + VN_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** Today in Vietnam: `2025-07-14`. */
function vnToday(): string {
  return vnNow().slice(0, 10);
}

function documentId(organId: string, date: string, number: string): string {
  return `${organId},${date.replaceAll('-', '/')},${number}`;
}

function textFile(name: string, text: string) {
  const bytes = Buffer.from(text, 'utf8');
  return {
    name,
    mediaType: 'text/plain',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentBase64: bytes.toString('base64'),
  };
}

interface DocumentOptions {
  from: { organId: string; organName: string };
  number: string;
  notation: string;
  type: number;
  typeName: string;
  subject: string;
  content: string;
  signer: { competence: string; position: string; fullName: string };
  priority: number;
  steeringType?: number;
  to: string;
  toPlaces?: string[];
}

/**
 * A `vn.gov.document.sent` whose CloudEvents `id` is its edXML DocumentId, as the edXML codec makes
 * it: the recipients' edXML status answers name that DocumentId (`ResponseFor`), so they find it.
 */
function document(o: DocumentOptions): Event {
  const date = vnToday();
  const id = documentId(o.from.organId, date, `${o.number}/${o.notation}`);
  return {
    specversion: '1.0',
    id,
    source: agencySource(o.from.organId),
    type: 'vn.gov.document.sent',
    subject: id,
    time: vnNow(),
    to: o.to,
    data: {
      documentId: id,
      from: o.from,
      code: { codeNumber: o.number, codeNotation: o.notation },
      promulgationInfo: { place: 'Quảng Ninh', promulgationDate: date },
      documentType: { type: o.type, typeName: o.typeName },
      subject: o.subject,
      content: o.content,
      signerInfo: o.signer,
      ...(o.toPlaces ? { toPlaces: o.toPlaces } : {}),
      otherInfo: { priority: o.priority },
      ...(o.steeringType ? { steeringType: o.steeringType } : {}),
      attachments: [textFile(`${o.number}-${o.notation}.txt`, `${o.typeName.toUpperCase()} số ${o.number}/${o.notation}\n${o.subject}\n\n${o.content}\n`)],
    },
  };
}

/** Step 0: a letter of the Government Office to the province, through the national axis. */
export function governmentLetter(): Event {
  return document({
    from: { organId: AGENCY.government, organName: 'Văn phòng Chính phủ' },
    number: '5321',
    notation: 'VPCP-KSTT',
    type: 18,
    typeName: 'Công văn',
    subject: 'V/v đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình và số hóa hồ sơ thủ tục hành chính',
    content:
      'Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương chỉ đạo các cơ quan, đơn vị đồng bộ đầy đủ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia.',
    signer: { competence: 'KT. Bộ trưởng, Chủ nhiệm', position: 'Phó Chủ nhiệm', fullName: 'Nguyễn Văn Minh' },
    priority: 1,
    to: AGENCY.province,
  });
}

/** Step 1: the province's directive to its whole subtree. */
export function provincialDirective(): Event {
  return document({
    from: { organId: AGENCY.province, organName: 'Ủy ban nhân dân tỉnh Quảng Ninh' },
    number: '12',
    notation: 'CT-UBND',
    type: 3,
    typeName: 'Chỉ thị',
    steeringType: 2,
    subject: 'Chỉ thị về việc đẩy mạnh giải quyết thủ tục hành chính liên thông và đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia',
    content:
      'Chủ tịch Ủy ban nhân dân tỉnh yêu cầu thủ trưởng các sở, ban, ngành; Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố và các xã, phường, thị trấn tổ chức tiếp nhận, giải quyết hồ sơ liên thông đúng hạn và cập nhật đầy đủ trạng thái hồ sơ.',
    signer: { competence: 'TM. Ủy ban nhân dân', position: 'Chủ tịch', fullName: 'Trần Văn Bình' },
    priority: 1,
    to: 'subtree',
    toPlaces: ['Các sở, ban, ngành', 'UBND các huyện, thị xã, thành phố', 'UBND các xã, phường, thị trấn', 'Lưu: VT, KSTT'],
  });
}

/** Step 3: an urgent dispatch about a storm to the coastal communes. */
export function stormDispatch(to: readonly string[]): Event {
  return document({
    from: { organId: AGENCY.province, organName: 'Ủy ban nhân dân tỉnh Quảng Ninh' },
    number: '03',
    notation: 'CĐ-UBND',
    type: 19,
    typeName: 'Công điện',
    subject: 'Công điện về việc chủ động ứng phó với bão số 3',
    content:
      'Yêu cầu Ủy ban nhân dân các xã, phường ven biển kêu gọi tàu thuyền vào nơi tránh trú an toàn, sơ tán người dân trên các lồng bè trước 17 giờ hôm nay.',
    signer: { competence: 'KT. Chủ tịch', position: 'Phó Chủ tịch', fullName: 'Nghiêm Xuân Cường' },
    priority: 3,
    to: to.join(','),
  });
}

/** The edXML status a commune's e-office answers a received document with (03: accepted). */
export function acknowledgement(received: { data: Readonly<Record<string, unknown>> }, by: string, staff: string): Event {
  const docId = String(received.data.documentId);
  const timestamp = vnNow();
  return {
    specversion: '1.0',
    id: `status-${by}-${timestamp}`,
    source: agencySource(by),
    type: 'vn.gov.document.status',
    subject: docId,
    correlationid: docId,
    data: {
      documentId: docId,
      statusCode: '03',
      statusName: 'Đã tiếp nhận',
      timestamp,
      staffInfo: { department: 'Văn phòng HĐND và UBND', staff },
      description: 'Văn thư đã tiếp nhận, trình lãnh đạo phân công xử lý.',
      from: by,
    },
  };
}

/** DVCQG TrangThaiHoSo names (domain/dvcqg.md). */
export const DOSSIER_STATUS: Readonly<Record<number, string>> = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
};

/** The dossier of the story: a household business registration received at the commune, decided by the city. */
export class Dossier {
  readonly code = `${AGENCY.baiChay}-${vnToday().slice(2).replaceAll('-', '')}-0042`;
  readonly procedureCode = '2.000720.000.00.00.H49';
  readonly procedureName = 'Đăng ký thành lập hộ kinh doanh';
  readonly applicant = { name: 'Phạm Thị Lan', type: 1, idNumber: '022190001234' } as const;
  readonly receivedAt = vnNow();
  readonly dueAt = vnNow(3 * 24 * 3_600_000);

  /** A `vn.gov.dossier.status` from `by` (`to`: the national portal and any agencies given). */
  status(by: string, statusCode: number, extra: Record<string, unknown> = {}, to = 'national'): Event {
    return {
      specversion: '1.0',
      id: `${this.code}-tt${statusCode}`,
      source: agencySource(by),
      type: 'vn.gov.dossier.status',
      subject: this.code,
      time: vnNow(),
      to,
      data: {
        dossierCode: this.code,
        procedureCode: this.procedureCode,
        procedureName: this.procedureName,
        receiptNumber: `BC-${this.code.slice(-11)}`,
        applicant: this.applicant,
        receivedAt: this.receivedAt,
        dueAt: this.dueAt,
        statusCode,
        ...extra,
      },
    };
  }

  /** The hand-over ("liên thông") from the commune to the city. */
  transfer(from: string, to: string): Event {
    return {
      specversion: '1.0',
      id: `${this.code}-lt1`,
      source: agencySource(from),
      type: 'vn.gov.dossier.transferred',
      subject: this.code,
      time: vnNow(),
      to,
      data: {
        dossierCode: this.code,
        procedureCode: this.procedureCode,
        fromAgency: from,
        toAgency: to,
        reason: 'Liên thông: hồ sơ đăng ký hộ kinh doanh tiếp nhận tại phường, chuyển Phòng Tài chính - Kế hoạch thành phố giải quyết',
        dueAt: this.dueAt,
        applicant: this.applicant,
        documents: [
          textFile(
            'giay-de-nghi-dang-ky-ho-kinh-doanh.txt',
            `GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH\nHọ và tên: ${this.applicant.name}\nĐịa chỉ kinh doanh: phường Bãi Cháy, tỉnh Quảng Ninh\n`,
          ),
        ],
      },
    };
  }
}
