/**
 * The corpus's manifest: each package of this folder (README.md says where each variant comes
 * from), how it is sent (content type), who sends it (the connector's agency: the From of the
 * package, or a relay), what it must give, or the rule that must refuse it.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { CloudEvent } from '../../../src/contract/cloud-event.ts';
import { largePackage } from './large-package.ts';

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
];

export const BAD: readonly BadPackage[] = [
  { file: '06-signed-altered.xml', contentType: XML, from: '000.00.00.H49', code: 'edxml-signature-invalid', path: '/edXML/edXMLEnvelope/edXMLHeader/Signature', refuseInvalidSignatures: true },
];

/** The bytes of a corpus package (the large one is generated: it is not committed). */
export async function packageBytes(entry: { readonly file: string }): Promise<Buffer> {
  if (entry.file === largePackage.name) return largePackage.bytes();
  return readFile(new URL(`./${entry.file}`, import.meta.url));
}

export { HEADER };
