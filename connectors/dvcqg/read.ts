/**
 * Reading untrusted objects field by field, with the JSON Pointer of each field for the errors
 * (`DvcqgMappingError`). Used by the mapping in both directions.
 */
import { DvcqgMappingError } from './errors.ts';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pointer(base: string, name: string | number): string {
  return `${base}/${String(name).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

export class FieldReader {
  private readonly obj: Record<string, unknown>;
  /** Pointer of `obj` from the root. */
  readonly base: string;

  constructor(obj: Record<string, unknown>, base: string) {
    this.obj = obj;
    this.base = base;
  }

  static of(value: unknown, base: string): FieldReader {
    if (value === undefined || value === null) throw new DvcqgMappingError('dvcqg-missing-field', base, 'is required');
    if (!isRecord(value)) throw new DvcqgMappingError('dvcqg-bad-value', base, 'must be an object');
    return new FieldReader(value, base);
  }

  path(name: string): string {
    return pointer(this.base, name);
  }

  raw(name: string): unknown {
    return this.obj[name];
  }

  /** A non-empty string; absent, null and '' count as missing. */
  string(name: string, required: true): string;
  string(name: string, required?: false): string | undefined;
  string(name: string, required = false): string | undefined {
    const value = this.obj[name];
    if (value === undefined || value === null || value === '') {
      if (required) throw new DvcqgMappingError('dvcqg-missing-field', this.path(name), 'is required');
      return undefined;
    }
    if (typeof value !== 'string') throw new DvcqgMappingError('dvcqg-bad-value', this.path(name), 'must be a string');
    return value;
  }

  /**
   * Tolerant text, for what one-stop systems write inbound: a non-empty string, or a number written
   * as its decimal text (`MaDoiTuong: 22190001234`); absent, null and '' count as missing.
   */
  text(name: string, required: true): string;
  text(name: string, required?: false): string | undefined;
  text(name: string, required = false): string | undefined {
    const value = this.obj[name];
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return required ? this.string(name, true) : this.string(name);
  }

  /** A date string converted by `convert` (undefined from it means a bad date). */
  date(name: string, convert: (s: string) => string | undefined, required: true): string;
  date(name: string, convert: (s: string) => string | undefined, required?: false): string | undefined;
  date(name: string, convert: (s: string) => string | undefined, required = false): string | undefined {
    const text = required ? this.string(name, true) : this.string(name);
    if (text === undefined) return undefined;
    const converted = convert(text);
    if (converted === undefined) throw new DvcqgMappingError('dvcqg-bad-date', this.path(name), `"${text}" is not a valid date here`);
    return converted;
  }

  /** An integer code written as a number or a string of digits (`4` or `"4"`). */
  code(name: string, required: true): number;
  code(name: string, required?: false): number | undefined;
  code(name: string, required = false): number | undefined {
    const value = this.obj[name];
    if (value === undefined || value === null || value === '') {
      if (required) throw new DvcqgMappingError('dvcqg-missing-field', this.path(name), 'is required');
      return undefined;
    }
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^\d{1,9}$/.test(value.trim())) return Number(value.trim());
    throw new DvcqgMappingError('dvcqg-bad-value', this.path(name), 'must be an integer code');
  }
}
