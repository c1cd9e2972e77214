import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { decodeEdxml, EdxmlError, encodeEdxml, type EdxmlErrorCode } from './codec.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const HEADER = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader';

const FIXTURES = {
  'document-sent.xml': 'vn.gov.document.sent',
  'document-revoked.xml': 'vn.gov.document.revoked',
  'document-updated.xml': 'vn.gov.document.updated',
  'document-replaced.xml': 'vn.gov.document.replaced',
  'status-accepted.xml': 'vn.gov.document.status',
} as const;

/** Runs `action` and returns the EdxmlError it throws (fails the test when it throws nothing else). */
function refusal(action: () => unknown): EdxmlError {
  try {
    action();
  } catch (error) {
    if (error instanceof EdxmlError) return error;
    throw error;
  }
  throw new Error('expected an EdxmlError, nothing was thrown');
}

function expectRefused(action: () => unknown, code: EdxmlErrorCode, path?: string): EdxmlError {
  const error = refusal(action);
  expect({ code: error.code, path: path === undefined ? undefined : error.path }).toEqual({ code, path });
  expect(error.message.length).toBeGreaterThan(20);
  return error;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A Vietnamese official letter with a binary attachment, written by hand in the decoder's form. */
function handMadeLetter(pdf: Buffer): CloudEvent {
  const letter = Buffer.from('Kính gửi: Sở Tư pháp tỉnh Quảng Ninh\nV/v triển khai Chỉ thị số 05/CT-UBND\n', 'utf8');
  const documentId = '000.00.00.H49,2025/08/01,2301/UBND-NC';
  return {
    specversion: '1.0',
    id: documentId,
    source: 'urn:lgsp:agency:000.00.00.H49',
    type: 'vn.gov.document.sent',
    subject: documentId,
    time: '2025-08-01T07:05:09+07:00',
    dataschema: 'https://lgsp-hub.dev/schemas/messages/vn.gov.document.sent.v1.json',
    to: '000.00.15.H49,000.01.05.H49',
    data: {
      documentId,
      from: { organId: '000.00.00.H49', organName: 'Ủy ban nhân dân tỉnh Quảng Ninh', website: 'quangninh.gov.vn' },
      to: [
        { organId: '000.00.15.H49', organName: 'Sở Tư pháp tỉnh Quảng Ninh' },
        { organId: '000.01.05.H49', organName: 'Ủy ban nhân dân xã Quảng Tân "Đông" <cũ> & mới' },
      ],
      code: { codeNumber: '0012', codeNotation: 'UBND-NC' },
      promulgationInfo: { place: 'Hạ Long', promulgationDate: '2025-08-01' },
      documentType: { type: 18, typeName: 'Công văn' },
      subject: 'V/v triển khai Chỉ thị số 05/CT-UBND',
      content: 'Dòng 1\nDòng 2 với ký tự đặc biệt: & < > " \' ]]>',
      signerInfo: { competence: 'KT. Chủ tịch', position: 'Phó Chủ tịch', fullName: 'Nguyễn Văn Ánh' },
      otherInfo: { priority: 3, appendixes: ['Phụ lục I', 'Phụ lục II'] },
      steeringType: 2,
      responseFor: {
        organId: '000.00.15.H49',
        code: '1234/STP-HCTP',
        promulgationDate: '2025-07-14',
        documentId: '000.00.15.H49,2025/07/14,1234/STP-HCTP',
      },
      attachments: [
        { name: 'Công văn 2301.txt', mediaType: 'text/plain', size: letter.length, sha256: sha256(letter), contentBase64: letter.toString('base64') },
        {
          name: 'Bản ký số.pdf',
          mediaType: 'application/pdf',
          size: pdf.length,
          sha256: sha256(pdf),
          description: 'Bản scan có chữ ký số',
          contentBase64: pdf.toString('base64'),
        },
      ],
    },
  };
}

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

describe('decodeEdxml: fixtures', () => {
  it.each(Object.entries(FIXTURES))('%s decodes to valid %s events', (name, type) => {
    const events = decodeEdxml(fixture(name), {});
    expect(events).toHaveLength(1);
    for (const event of events) {
      expect(event.type).toBe(type);
      expect(schemas.validateEnvelope(event)).toEqual([]);
      expect(schemas.validateData(event.type, event.data, event.dataschema)).toEqual([]);
    }
  });

  it('maps a Công văn header to the envelope and computes attachment size and hash', () => {
    const [event] = decodeEdxml(fixture('document-sent.xml'));
    expect(event).toMatchObject({
      id: '000.00.00.H49,2025/07/14,2150/UBND-NC',
      source: 'urn:lgsp:agency:000.00.00.H49',
      subject: '000.00.00.H49,2025/07/14,2150/UBND-NC',
      to: '000.00.15.H49,000.01.05.H49',
      time: '2025-07-14T15:20:00+07:00',
      data: {
        documentType: { type: 18, typeName: 'Công văn' },
        subject: 'V/v triển khai Chỉ thị số 05/CT-UBND',
        signerInfo: { fullName: 'Nguyễn Văn Ánh' },
        promulgationInfo: { promulgationDate: '2025-07-14' },
        dueDate: '2025-07-31',
      },
    });
    const attachments = event?.data.attachments as { size: number; sha256: string; mediaType: string; contentBase64: string }[];
    const pdf = Buffer.from(attachments[1]?.contentBase64 ?? '', 'base64');
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(attachments[1]).toMatchObject({ size: 118, sha256: sha256(pdf), mediaType: 'application/pdf' });
    expect(attachments[0]?.mediaType).toBe('text/plain'); // "text/plain; charset=utf-8" without parameters
  });

  it('maps a status to its document: subject, correlationid and to', () => {
    const [event] = decodeEdxml(fixture('status-accepted.xml'));
    expect(event).toMatchObject({
      source: 'urn:lgsp:agency:000.00.15.H49',
      subject: '000.00.00.H49,2025/07/14,2150/UBND-NC',
      correlationid: '000.00.00.H49,2025/07/14,2150/UBND-NC',
      to: '000.00.00.H49',
      time: '2025-07-14T16:02:11+07:00',
      data: { statusCode: '03', statusName: 'Đã tiếp nhận', from: '000.00.15.H49' },
    });
    expect(event?.id).toMatch(/^edxml-status-[0-9a-f]{32}$/);
    expect(decodeEdxml(fixture('status-accepted.xml'))[0]?.id).toBe(event?.id); // deterministic
  });

  it('maps a replacement: the earlier document is the subject, the header document the new one', () => {
    const [event] = decodeEdxml(fixture('document-replaced.xml'));
    expect(event?.subject).toBe('000.00.00.H49,2025/07/14,2150/UBND-NC');
    expect(event?.data.replacement).toEqual({ documentId: '000.00.00.H49,2025/07/16,2188/UBND-NC', organIdList: ['000.00.15.H49'] });
    expect(event?.id).not.toBe(event?.subject); // never the id of the earlier sent event
  });

  it('accepts unprefixed packages (default namespace) and reads them alike', () => {
    for (const name of Object.keys(FIXTURES)) {
      const prefixed = fixture(name).toString('utf8');
      const unprefixed = prefixed.replaceAll('<edXML:', '<').replaceAll('</edXML:', '</').replace('xmlns:edXML=', 'xmlns=');
      expect(unprefixed).not.toContain('edXML:');
      expect(decodeEdxml(unprefixed)).toEqual(decodeEdxml(prefixed));
    }
  });

  it('reads "Business" as the standard\'s "Bussiness"', () => {
    const xml = fixture('document-revoked.xml').toString('utf8').replaceAll('Bussiness', 'Business');
    expect(decodeEdxml(xml)).toEqual(decodeEdxml(fixture('document-revoked.xml')));
  });
});

describe('encodeEdxml', () => {
  it.each(Object.keys(FIXTURES))('round-trips %s', (name) => {
    for (const event of decodeEdxml(fixture(name))) {
      expect(decodeEdxml(encodeEdxml(event))).toEqual([event]);
    }
  });

  it('round-trips Vietnamese text, XML special characters and a binary attachment byte for byte', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(4096), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])]);
    const event = handMadeLetter(pdf);
    expect(schemas.validateData(event.type, event.data)).toEqual([]);
    const [decoded] = decodeEdxml(encodeEdxml(event));
    // What the writer adds to a package made from canonical data: the sender's hop at the event's
    // time and a new document's Bussiness; nothing to carry in the layout (it wrote the package).
    const added = {
      traceHeaders: [{ organId: '000.00.00.H49', timestamp: event.time }],
      business: { businessDocType: 0 },
      edxml: { signature: { status: 'absent' } },
    };
    expect(decoded).toEqual({ ...event, data: { ...event.data, ...added } });
    const attachments = decoded?.data.attachments as { contentBase64: string }[];
    expect(Buffer.from(attachments[1]?.contentBase64 ?? '', 'base64').equals(pdf)).toBe(true);
  });

  it('writes the edXML: prefix on every element, the namespace and a UTF-8 declaration', () => {
    const outputs = [
      encodeEdxml(handMadeLetter(randomBytes(64))),
      ...Object.keys(FIXTURES).map((name) => encodeEdxml(decodeEdxml(fixture(name))[0] as CloudEvent)),
    ];
    for (const xml of outputs) {
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      expect(xml).toContain('xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"');
      const tags = [...xml.matchAll(/<\/?([^\s?!/>]+)/g)].map((m) => m[1]);
      expect(tags.length).toBeGreaterThan(10);
      expect(tags.filter((t) => !t?.startsWith('edXML:'))).toEqual([]);
    }
    expect(outputs[0]).toContain('xlink:href="cid:attachment-1"');
  });

  it('writes instants in Vietnam time', () => {
    const [status] = decodeEdxml(fixture('status-accepted.xml'));
    const utc = { ...status, data: { ...status?.data, timestamp: '2025-07-14T09:02:11Z' } } as CloudEvent;
    expect(encodeEdxml(utc)).toContain('<edXML:Timestamp>2025/07/14 16:02:11</edXML:Timestamp>');
  });

  it('addresses a document sent to a selector to the agency it is delivered to (a package without To means nothing)', () => {
    const pdf = Buffer.from('%PDF-1.7\n', 'latin1');
    const letter = handMadeLetter(pdf);
    const { to: _named, ...data } = letter.data as Record<string, unknown>;
    const toSubtree = { ...letter, to: 'subtree', data } as CloudEvent;
    expectRefused(() => decodeEdxml(encodeEdxml(toSubtree)), 'edxml-missing-field', `${HEADER}/To`);
    const [decoded] = decodeEdxml(encodeEdxml(toSubtree, { recipient: '000.01.05.H49' }));
    expect(decoded?.to).toBe('000.01.05.H49');
  });

  it('refuses what edXML cannot carry', () => {
    const [sent] = decodeEdxml(fixture('document-sent.xml'));
    const data = sent?.data as { attachments: Record<string, unknown>[] };
    const byHref = {
      ...sent,
      data: { ...data, attachments: [{ name: 'a.pdf', mediaType: 'application/pdf', size: 1, sha256: 'a'.repeat(64), href: 'https://example.gov.vn/a.pdf' }] },
    } as CloudEvent;
    expectRefused(() => encodeEdxml(byHref), 'edxml-unsupported', '/data/attachments/0/href');
    const tampered = { ...sent, data: { ...data, attachments: [{ ...data.attachments[0], size: 1 }] } } as CloudEvent;
    expectRefused(() => encodeEdxml(tampered), 'edxml-attachment-mismatch', '/data/attachments/0');
    expectRefused(() => encodeEdxml({ ...sent, type: 'vn.gov.dossier.status' } as CloudEvent), 'edxml-unsupported', '/type');
    const noSubject = { ...sent, data: { ...data, subject: undefined } } as CloudEvent;
    expectRefused(() => encodeEdxml(noSubject), 'edxml-invalid-event', '/data/subject');
  });
});

describe('decodeEdxml: refusals', () => {
  it('refuses an external entity before parsing', () => {
    expectRefused(() => decodeEdxml(fixture('attack-external-entity.xml')), 'edxml-forbidden-dtd', '/');
  });

  it('refuses billion laughs before parsing', () => {
    expectRefused(() => decodeEdxml(fixture('attack-billion-laughs.xml')), 'edxml-forbidden-dtd', '/');
  });

  it('refuses an oversized package, by default at 64 MiB and at a configured limit', () => {
    const big = fixture('document-sent.xml')
      .toString('utf8')
      .replace('<edXML:Content>', `<edXML:Content>${'x'.repeat(64 * 1024 * 1024)}`);
    expectRefused(() => decodeEdxml(big), 'edxml-too-large', '/');
    expectRefused(() => decodeEdxml(fixture('document-sent.xml'), { maxBytes: 1024 }), 'edxml-too-large', '/');
  });

  it('refuses a package nested too deep, naming where', () => {
    const error = expectRefused(() => decodeEdxml(fixture('attack-too-deep.xml')), 'edxml-too-deep');
    expect(error.path).toMatch(/^\/edXML\/edXMLEnvelope\/edXMLHeader\/MessageHeader\/Subject\/a\/a/);
  });

  it('refuses a package with too many elements', () => {
    expectRefused(() => decodeEdxml(fixture('document-sent.xml'), { maxElements: 50 }), 'edxml-too-many-elements');
  });

  it('refuses malformed XML, undefined entities and non-UTF-8 input', () => {
    expectRefused(() => decodeEdxml(fixture('invalid-malformed.xml')), 'edxml-malformed', '/');
    const nbsp = fixture('document-sent.xml').toString('utf8').replace('Quảng Ninh</edXML:Place>', 'Quảng&nbsp;Ninh</edXML:Place>');
    expectRefused(() => decodeEdxml(nbsp), 'edxml-malformed', `${HEADER}/PromulgationInfo/Place`);
    expectRefused(() => decodeEdxml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])), 'edxml-malformed', '/');
    expectRefused(() => decodeEdxml('<?xml version="1.0" encoding="windows-1258"?><a/>'), 'edxml-unsupported', '/');
  });

  it('refuses an attachment whose declared hash or size does not match', () => {
    expectRefused(
      () => decodeEdxml(fixture('invalid-attachment-wrong-hash.xml')),
      'edxml-attachment-mismatch',
      '/edXML/AttachmentEncoded/Attachment[2]/Sha256',
    );
    const xml = fixture('document-sent.xml').toString('utf8');
    const rightHash = xml.replace(
      '<edXML:ContentType>application/pdf</edXML:ContentType>\n      <edXML:ContentTransferEncoded>',
      `<edXML:ContentType>application/pdf</edXML:ContentType>\n      <edXML:Sha256>${'37BEF317EFE646C464B546F4D0C28DA5269178EB391066E6A0A166B8AAC78499'}</edXML:Sha256><edXML:Size>118</edXML:Size>\n      <edXML:ContentTransferEncoded>`,
    );
    expect(rightHash).not.toBe(xml);
    const [withDeclared] = decodeEdxml(rightHash);
    const [plain] = decodeEdxml(xml);
    const { edxml: declaredPassThrough, ...declaredData } = withDeclared!.data as Record<string, unknown>;
    const { edxml: _plainPassThrough, ...plainData } = plain!.data as Record<string, unknown>;
    expect(declaredData).toEqual(plainData);
    // The hub's Size/Sha256 extension is not modelled: it travels on in the layout.
    expect(JSON.stringify(declaredPassThrough)).toContain('"name":"edXML:Size","text":"118"');
    const wrongSize = rightHash.replace('<edXML:Size>118</edXML:Size>', '<edXML:Size>119</edXML:Size>');
    expectRefused(() => decodeEdxml(wrongSize), 'edxml-attachment-mismatch', '/edXML/AttachmentEncoded/Attachment[2]/Size');
    const missingFile = xml.replace(
      '<edXML:ContentId>cid:cv-2150-pdf</edXML:ContentId>\n      <edXML:AttachmentName>',
      '<edXML:ContentId>cid:other</edXML:ContentId>\n      <edXML:AttachmentName>',
    );
    expectRefused(() => decodeEdxml(missingFile), 'edxml-attachment-mismatch', '/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[2]');
  });

  it('names the missing field and invalid values by path', () => {
    const xml = fixture('document-sent.xml').toString('utf8');
    expectRefused(() => decodeEdxml(xml.replace('<edXML:OrganId>000.00.00.H49</edXML:OrganId>', '')), 'edxml-missing-field', `${HEADER}/From/OrganId`);
    // Both date orders are read; a date that does not exist is refused whatever its order.
    expect(
      (
        decodeEdxml(xml.replace('2025/07/14</edXML:PromulgationDate>', '14/07/2025</edXML:PromulgationDate>'))[0]?.data.promulgationInfo as {
          promulgationDate: string;
        }
      ).promulgationDate,
    ).toBe('2025-07-14');
    expectRefused(
      () => decodeEdxml(xml.replace('2025/07/14</edXML:PromulgationDate>', '30/02/2025</edXML:PromulgationDate>')),
      'edxml-invalid-value',
      `${HEADER}/PromulgationInfo/PromulgationDate`,
    );
    expectRefused(
      () => decodeEdxml(xml.replace('2025/07/14</edXML:PromulgationDate>', '2014/02/30</edXML:PromulgationDate>')),
      'edxml-invalid-value',
      `${HEADER}/PromulgationInfo/PromulgationDate`,
    );
    expectRefused(
      () => decodeEdxml(xml.replace('<edXML:Type>18</edXML:Type>', '<edXML:Type>mười tám</edXML:Type>')),
      'edxml-invalid-value',
      `${HEADER}/DocumentType/Type`,
    );
    expectRefused(
      () => decodeEdxml(xml.replace('<edXML:BussinessDocType>0<', '<edXML:BussinessDocType>7<')),
      'edxml-unsupported',
      '/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType',
    );
    const status = fixture('status-accepted.xml').toString('utf8');
    expectRefused(() => decodeEdxml(status.replace('>03<', '>99<')), 'edxml-unsupported', `${HEADER}/StatusCode`);
    expectRefused(() => decodeEdxml('<root/>'), 'edxml-unsupported', '/root');
  });
});
