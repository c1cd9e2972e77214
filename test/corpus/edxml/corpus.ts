/**
 * The corpus's manifest: each package of this folder (README.md says where each variant comes
 * from), how it is sent (content type), who sends it (the connector's agency: the From of the
 * package, or a relay), what it must give, or the rule that must refuse it.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { CloudEvent } from '../../../src/contract/cloud-event.ts';
import { LARGE_SIZE, largePackage } from './large-package.ts';

export interface GoodPackage {
  readonly file: string;
  readonly contentType: string;
  /** The agency whose connector sends it (the package's From). */
  readonly from: string;
  readonly types: readonly string[];
  /** A signed package: an edXML recipient gets the sender's bytes unchanged. */
  readonly signed?: boolean;
  /** Facts of this variant about the decoded event. */
  readonly check?: (event: CloudEvent) => void;
}

export interface BadPackage {
  readonly file: string;
  readonly contentType: string;
  readonly from: string;
  readonly code: string;
  readonly path: string;
  readonly refuseInvalidSignatures?: boolean;
}

const XML = 'application/xml';
const HEADER = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader';

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function data(event: CloudEvent): Data {
  return event.data as Data;
}

export const GOOD: readonly GoodPackage[] = [
  {
    file: '01-cong-van-default-namespace.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).documentType.typeDetail).toBe('Công văn hành chính');
      expect(data(e).direction).toBe('0');
      expect(data(e).from).toMatchObject({ organAdd: expect.any(String), email: 'vpubnd@quangninh.gov.vn', telephone: '0203.3835.151', fax: '0203.3835.152', website: 'www.quangninh.gov.vn' });
      expect(data(e).business).toMatchObject({ businessDocType: 0, paper: '0', staffInfo: { staff: 'Trần Văn Bình' } });
      expect(e.time).toBe('2025-09-08T14:35:12+07:00');
    },
  },
  {
    file: '02-quyet-dinh-day-first-date.xml', contentType: XML, from: '000.00.00.G15', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).promulgationInfo.promulgationDate).toBe('2020-10-30');
      expect(data(e).dueDate).toBe('2020-11-15');
      expect(data(e).responseFor).toEqual({ organId: '000.00.00.H49', code: '410/UBND-NC', promulgationDate: '2020-10-12', documentId: '000.00.00.H49,2020/10/12,410/UBND-NC' });
      expect(e.to).toBe('000.00.00.H49,000.00.15.H49');
    },
  },
  {
    file: '03-empty-signer-na-fields.xml', contentType: XML, from: '000.00.05.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).signerInfo).toEqual({ competence: 'TL. Chủ tịch' });
      expect(data(e).dueDate).toBeUndefined();
      expect(data(e).from.email).toBeUndefined();
      expect(data(e).otherInfo).toEqual({ priority: 0, typerNotation: 'N/A', pageAmount: 1 });
    },
  },
  {
    file: '04-unprefixed-unknown-elements.xml', contentType: XML, from: '000.00.15.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).business).toEqual({ businessDocType: 0, businessDocReason: 'Văn bản mới', paper: '1' });
      expect(JSON.stringify(data(e).edxml.layout)).toContain('"name":"edXML:SecurityLevel","text":"Thường"');
      expect(data(e).edxml.attributes['/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList']).toEqual({ id: 'trace-312', version: '1.0', mustUnderstand: '1', actor: 'http://www.mic.gov.vn/TBT/QCVN_102_2016/actor/next' });
    },
  },
  {
    file: '05-signed.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.sent'], signed: true,
    check: (e) => {
      expect(data(e).edxml.signature).toEqual({ status: 'valid', signer: 'C=VN, O=Corpus test key not a real certificate, CN=Nguyen Thi Hanh' });
      expect(data(e).edxml.original).toMatchObject({ mediaType: 'application/xml' });
    },
  },
  {
    file: '06-signed-altered.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.sent'], signed: true,
    check: (e) => {
      expect(data(e).edxml.signature).toMatchObject({ status: 'invalid', signer: 'C=VN, O=Corpus test key not a real certificate, CN=Nguyen Thi Hanh' });
      expect(data(e).subject).toBe('Báo cáo tình hình kinh tế - xã hội tháng 11 năm 2025');
    },
  },
  {
    file: '07-soap-envelope.xml', contentType: 'text/xml; charset=utf-8', from: '000.00.00.G22', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(e.id).toBe('000.00.00.G22,2025/08/06,267/VPCP-TTĐT');
      expect(data(e).otherInfo.priority).toBe(3);
    },
  },
  {
    file: '08-soap-with-attachments.mime', contentType: `multipart/related; type="text/xml"; boundary="MIMEBoundary_lgsp_corpus_08"; start="<root.message@lgsp.corpus>"`, from: '000.00.16.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).attachments.map((a: Data) => [a.name, a.mediaType, a.size])).toEqual([['2045-SYT-NVY.pdf', 'application/pdf', 83], ['Phụ lục.txt', 'text/plain', 58]]);
      expect(e.to).toBe('000.00.00.H49,000.00.09.H49');
    },
  },
  {
    file: '09-update-document-info-1.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.updated'],
    check: (e) => {
      // The identity is the header's DocumentId; the Bussiness one is kept; the whole document travels.
      expect([e.subject, data(e).documentId]).toEqual(['000.00.00.H49,2025/09/09,1520/UBND-VX', '000.00.00.H49,2025/09/09,1520/UBND-VX']);
      expect(data(e).business).toMatchObject({ businessDocType: 2, documentId: '000.00.00.H49,2025/09/08,1520/UBND-VX', businessDocumentInfo: { documentInfo: '1', documentReceiver: '0' }, paper: '0' });
      expect(data(e)).toMatchObject({ subject: expect.stringContaining('thay thế thời hạn'), code: { codeNumber: '1520' }, signerInfo: { fullName: 'Nguyễn Thị Hạnh' }, dueDate: '2025-10-15', promulgationInfo: { promulgationDate: '2025-09-09' } });
      expect(data(e).attachments).toHaveLength(1);
      expect(data(e).traceHeaders.map((h: Data) => h.organId)).toEqual(['000.00.00.H49', 'LGSP.H49']);
      expect(e.time).toBe('2025-09-10T08:15:00+07:00');
    },
  },
  {
    file: '10-replacement.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.replaced'],
    check: (e) => {
      expect(data(e).documentId).toBe('000.00.00.H49,2025/09/08,1520/UBND-VX');
      expect(data(e).replacement).toEqual({ documentId: '000.00.00.H49,2025/09/20,1602/UBND-VX', organIdList: ['000.00.16.H49', '000.00.05.H49'] });
      expect(data(e)).toMatchObject({ headerDocumentId: '000.00.00.H49,2025/09/20,1602/UBND-VX', subject: expect.stringContaining('thay thế Công văn số 1520'), attachments: [{ name: '1602-UBND-VX.txt' }] });
    },
  },
  {
    file: '11-revocation.xml', contentType: XML, from: '000.00.05.H49', types: ['vn.gov.document.revoked'],
    check: (e) => {
      expect(data(e)).toMatchObject({ documentId: '000.00.05.H49,2025/10/02,0087/GM-UBND', reason: 'Hoãn cuộc họp, thu hồi giấy mời', staffInfo: { staff: 'Phạm Thu Hà' }, business: { paper: '0' }, promulgationInfo: { promulgationDate: '2025-10-02' } });
    },
  },
  {
    file: '12-status-multi-hop.xml', contentType: XML, from: '000.00.16.H49', types: ['vn.gov.document.status'],
    check: (e) => {
      expect(data(e).sender).toMatchObject({ organId: '000.00.16.H49', organAdd: 'Phường Hồng Hà, tỉnh Quảng Ninh', fax: '0203.3825.492', website: 'soyte.quangninh.gov.vn' });
      expect(data(e).responseFor).toEqual({ organId: '000.00.00.H49', code: '1520/UBND-VX', promulgationDate: '2025-09-08', documentId: '000.00.00.H49,2025/09/08,1520/UBND-VX' });
      expect(data(e).traceHeaders).toHaveLength(3);
      expect(e.time).toBe('2025-09-09T10:05:33+07:00');
    },
  },
  {
    file: '13-update-receivers.xml', contentType: XML, from: '000.00.16.H49', types: ['vn.gov.document.updated'],
    check: (e) => {
      expect(data(e).receiverList).toEqual([{ organId: '000.00.05.H49', receiverType: 1 }, { organId: '000.00.09.H49', receiverType: 0 }]);
      expect(data(e).business.businessDocumentInfo).toMatchObject({ documentInfo: '0', documentReceiver: '1' });
    },
  },
  {
    file: '14-multi-hop-document.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(e.time).toBe('2025-10-25T16:40:00+07:00');
      expect(data(e).traceHeaders.map((h: Data) => h.organId)).toEqual(['000.00.00.G15', '000.00.00.H49']);
    },
  },
  {
    file: largePackage.name, contentType: XML, from: '000.00.15.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).attachments[0]).toMatchObject({ size: LARGE_SIZE, name: 'so-ho-tich-1999-2005.bin' });
    },
  },
  {
    file: '16-status-minimal.xml', contentType: XML, from: '000.01.05.H49', types: ['vn.gov.document.status'],
    check: (e) => {
      expect(data(e)).toMatchObject({ statusCode: '03', from: '000.01.05.H49', responseFor: { documentId: '000.00.05.H49,2025/10/02,0087/GM-UBND' } });
      expect(e.to).toBe('000.00.05.H49');
    },
  },
  {
    file: '17-only-foreign-hop.xml', contentType: XML, from: '000.00.00.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(e.time).toBe('2025-10-24T00:00:00+07:00');
    },
  },
  {
    file: '18-multipart-bare-package.mime', contentType: 'multipart/related; boundary="----=_Part_18_lgsp"; type="application/xml"', from: '000.00.09.H49', types: ['vn.gov.document.sent'],
    check: (e) => {
      expect(data(e).attachments[0]).toMatchObject({ name: '77-TB-UBND.pdf', mediaType: 'application/pdf', size: 83 });
    },
  },
];

export const BAD: readonly BadPackage[] = [
  { file: 'bad-01-impossible-date.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-invalid-value', path: `${HEADER}/PromulgationInfo/PromulgationDate` },
  { file: 'bad-02-no-sender.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-missing-field', path: `${HEADER}/From` },
  { file: 'bad-03-xxe.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-forbidden-dtd', path: '/' },
  { file: 'bad-04-entity-expansion.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-forbidden-dtd', path: '/' },
  { file: 'bad-05-no-recipient.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-missing-field', path: `${HEADER}/To` },
  { file: 'bad-06-impossible-timestamp.xml', contentType: XML, from: '000.00.16.H49', code: 'edxml-invalid-value', path: `${HEADER}/Timestamp` },
  { file: '06-signed-altered.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-signature-invalid', path: '/edXML/edXMLEnvelope/edXMLHeader/Signature', refuseInvalidSignatures: true },
];

/** The bytes of a corpus package (the large one is generated: it is not committed). */
export async function packageBytes(entry: { readonly file: string }): Promise<Buffer> {
  if (entry.file === largePackage.name) return largePackage.bytes();
  return readFile(new URL(`./${entry.file}`, import.meta.url));
}

export { HEADER };
