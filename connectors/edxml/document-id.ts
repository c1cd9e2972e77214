/**
 * The edXML DocumentId `{OrganId},{yyyy/MM/dd},{number}/{notation}` (e.g.
 * `000.00.04.G14,2012/08/06,267/VPCP-TTĐT`) carries the issuer, the promulgation date and the
 * code, so packages that only name a document (status, revoke, update, replace) can rebuild
 * ResponseFor and MessageHeader/Code from it.
 */

export interface DocumentIdParts {
  readonly organId: string;
  /** `YYYY-MM-DD`. */
  readonly promulgationDate: string;
  readonly codeNumber: string;
  readonly codeNotation: string;
}

const DOCUMENT_ID = /^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}),(\d{4})\/(\d{2})\/(\d{2}),([^,/]+)\/([^,]+)$/;

/** The parts of `id`, or undefined when it does not follow the pattern (common.schema.json#/$defs/documentId). */
export function parseDocumentId(id: string): DocumentIdParts | undefined {
  const m = DOCUMENT_ID.exec(id);
  if (!m) return undefined;
  const [, organId = '', y, mo, d, codeNumber = '', codeNotation = ''] = m;
  return { organId, promulgationDate: `${y}-${mo}-${d}`, codeNumber, codeNotation };
}

export function formatDocumentId(parts: DocumentIdParts): string {
  return `${parts.organId},${parts.promulgationDate.replaceAll('-', '/')},${parts.codeNumber}/${parts.codeNotation}`;
}
