/**
 * Errors of the edXML codec: one class, a closed set of codes. A decode error means the package
 * is refused as a whole (nothing of it may be produced to Kafka); the HTTP layer answers it as a
 * 4xx with `code`, `path` and the message, which says what the sender must fix. No code is
 * retriable: the same bytes fail the same way.
 */
import { LgspError } from '../../src/contract/errors.ts';

export const EDXML_ERROR_CODES = [
  /** Not well-formed XML, not UTF-8, or a value that cannot be read (bad base64, undefined entity). */
  'edxml-malformed',
  /** A `<!DOCTYPE` or `<!ENTITY` declaration: refused before parsing (XXE, billion laughs). */
  'edxml-forbidden-dtd',
  /** Larger than the byte limit, or an attachment larger than the inline limit of the schemas. */
  'edxml-too-large',
  /** Elements nested deeper than the depth limit. */
  'edxml-too-deep',
  /** More elements than the element-count limit. */
  'edxml-too-many-elements',
  /** A field the mapping needs is absent or empty. */
  'edxml-missing-field',
  /** A field is present but its value is not what edXML allows (a date, a number, a code). */
  'edxml-invalid-value',
  /** An attachment's declared size or SHA-256 differs from its content, or its content is absent. */
  'edxml-attachment-mismatch',
  /** Valid input the codec does not handle: another root, encoding, business type, message type. */
  'edxml-unsupported',
  /** The package's XML-DSig signature does not verify, and the connector refuses invalid signatures. */
  'edxml-signature-invalid',
  /** encodeEdxml only: the event lacks or mistypes a field the edXML package needs. */
  'edxml-invalid-event',
] as const;

export type EdxmlErrorCode = (typeof EDXML_ERROR_CODES)[number];

export class EdxmlError extends LgspError<EdxmlErrorCode> {
  /**
   * Where the problem is: an XPath-like location in the package for decode errors
   * (`/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId`, `[n]` for the n-th of
   * repeated siblings), a JSON Pointer into the event for encode errors (`/data/documentId`).
   */
  readonly path: string;

  constructor(code: EdxmlErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...(options?.cause === undefined ? {} : { cause: options.cause }), retriable: false });
    this.path = path;
  }
}
