/**
 * Errors of the dvcqg mapping (the encode and decode stages): a closed list of codes, each with the
 * JSON Pointer of the failing field. Outbound, the pointer is from the event root
 * (`/data/receivedAt`); inbound, from the portal body (`/data/0/NgayTiepNhan`). None of them is
 * retriable: the same input always fails the same way.
 */
export const DVCQG_ERROR_CODES = [
  /** A date is not RFC 3339 (event) or not a real `yyyyMMddHHmmss` instant (portal). */
  'DVCQG_BAD_DATE',
  /** A field the other side requires is absent or empty. */
  'DVCQG_MISSING_FIELD',
  /** A field has the wrong type or shape (not a string, not an object, not a list). */
  'DVCQG_BAD_VALUE',
  /** TrangThaiHoSo / statusCode is not an integer 1..10. */
  'DVCQG_BAD_STATUS',
  /** LoaiDoiTuong / applicant.type is not 1 (citizen) or 2 (business). */
  'DVCQG_BAD_APPLICANT_TYPE',
  /** The event is not a `vn.gov.dossier.status`. */
  'DVCQG_WRONG_TYPE',
] as const;

export type DvcqgErrorCode = (typeof DVCQG_ERROR_CODES)[number];

export class DvcqgMappingError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: DvcqgErrorCode,
    /** JSON Pointer of the failing field. */
    readonly path: string,
    detail: string,
  ) {
    super(`${code} at ${path || '/'}: ${detail}`);
    this.name = 'DvcqgMappingError';
  }
}
