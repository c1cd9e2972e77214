/**
 * An edXML status package (MessageHeader with From, ResponseFor, StaffInfo, StatusCode,
 * Description, Timestamp) → one `vn.gov.document.status`. Data keeps the sender's details
 * (`sender`), the whole ResponseFor (`responseFor`: Code and PromulgationDate too) and every hop. Envelope: source = From/OrganId,
 * subject and correlationid = ResponseFor/DocumentId (the id of the `sent` event it answers),
 * to = ResponseFor/OrganId (the issuer, else the DocumentId's agency), time = Timestamp, id =
 * deterministic from DocumentId, StatusCode and Timestamp.
 */
import { agencySource, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { edxmlInstantToRfc3339 } from './dates.ts';
import { parseDocumentId } from './document-id.ts';
import { EdxmlError } from './errors.ts';
import { readTrace } from './decode-header.ts';
import { ORGAN, readFields, STAFF_INFO, STATUS_RESPONSE_FOR } from './fields.ts';
import { DOCUMENT_TYPES, dataschemaOf, deterministicId, type EdxmlPackage } from './package.ts';
import { childOf, requireChild, requireText, textOf } from './tree.ts';

/** The status codes of the edoc status table (domain/edxml.md) and their Vietnamese names. */
export const STATUS_NAMES = {
  '01': 'Đã đến',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã tiếp nhận',
  '04': 'Phân công',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
  '13': 'Thu hồi, lấy lại',
  '15': 'Đồng ý thu hồi, cập nhật',
  '16': 'Từ chối thu hồi, cập nhật',
} as const;

type StatusCode = keyof typeof STATUS_NAMES;

function isStatusCode(code: string): code is StatusCode {
  return Object.hasOwn(STATUS_NAMES, code);
}

export function decodeStatus(pkg: EdxmlPackage): CloudEvent[] {
  const header = pkg.messageHeader;
  const fromElement = requireChild(header, 'From', 'the agency reporting the status');
  const from = requireText(fromElement, 'OrganId', 'the agency reporting the status');
  const sender = readFields(fromElement, ORGAN, true);
  const responseFor = requireChild(header, 'ResponseFor', 'the document this status is about');
  const documentId = requireText(responseFor, 'DocumentId');
  const responseForFields = readFields(responseFor, STATUS_RESPONSE_FOR);
  const statusCode = readStatusCode(requireText(header, 'StatusCode'), `${header.path}/StatusCode`);
  const timestamp = edxmlInstantToRfc3339(requireText(header, 'Timestamp'), `${header.path}/Timestamp`);
  const staffElement = childOf(header, 'StaffInfo');
  const staffInfo = staffElement ? readFields(staffElement, STAFF_INFO) : {};
  const description = textOf(header, 'Description');
  const to = textOf(responseFor, 'OrganId') ?? parseDocumentId(documentId)?.organId;
  return [
    {
      specversion: '1.0',
      id: deterministicId('status', [documentId, statusCode, timestamp]),
      source: agencySource(from),
      type: DOCUMENT_TYPES.status,
      subject: documentId,
      time: timestamp,
      dataschema: dataschemaOf(DOCUMENT_TYPES.status),
      ...(to ? { to } : {}),
      correlationid: documentId,
      data: {
        documentId,
        statusCode,
        statusName: STATUS_NAMES[statusCode],
        timestamp,
        ...(Object.keys(staffInfo).length > 0 ? { staffInfo } : {}),
        ...(description ? { description } : {}),
        from,
        sender,
        responseFor: responseForFields,
        ...readTrace(pkg),
      },
    },
  ];
}

/** "3" is read as "03": some senders write the code as a number. */
function readStatusCode(text: string, path: string): StatusCode {
  const code = /^\d$/.test(text) ? `0${text}` : text;
  if (!isStatusCode(code)) {
    throw new EdxmlError(
      'edxml-unsupported',
      path,
      `StatusCode "${text}" is not in the edoc status table; use one of ${Object.keys(STATUS_NAMES).join(', ')}.`,
    );
  }
  return code;
}
