/**
 * Errors of the dvcqg mapping (the encode and decode stages): a closed list of codes, each with the
 * JSON Pointer of the failing field. Outbound, the pointer is from the event root
 * (`/data/receivedAt`); inbound, from the portal body (`/data/0/NgayTiepNhan`). None of them is
 * retriable: the same input always fails the same way.
 */
import { LgspError } from '../../src/contract/errors.ts';
export const DVCQG_ERROR_CODES = [
  /** A date is not RFC 3339 (event) or not a real `yyyyMMddHHmmss` instant (portal). */
  'dvcqg-bad-date',
  /** A field the other side requires is absent or empty. */
  'dvcqg-missing-field',
  /** A field has the wrong type or shape (not a string, not an object, not a list). */
  'dvcqg-bad-value',
  /** TrangThaiHoSo / statusCode is not an integer 1..10. */
  'dvcqg-bad-status',
  /** LoaiDoiTuong / applicant.type is not 1 (citizen) or 2 (business). */
  'dvcqg-bad-applicant-type',
  /** The event is not a `vn.gov.dossier.status`. */
  'dvcqg-wrong-type',
] as const;

export type DvcqgErrorCode = (typeof DVCQG_ERROR_CODES)[number];

export class DvcqgMappingError extends LgspError<DvcqgErrorCode> {
  /** JSON Pointer of the failing field. */
  readonly path: string;

  constructor(code: DvcqgErrorCode, path: string, detail: string) {
    super(code, `${code} at ${path || '/'}: ${detail}`, { retriable: false });
    this.path = path;
  }
}
